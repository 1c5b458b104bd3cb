//! The 券面事項入力補助AP: its PIN and the 基本4情報 (name, address, birth date, sex).
//!
//! 番号法 §20: this module can reach exactly two EFs of the AP, the PIN `0011` and the
//! 基本4情報 `0002`, through a private enum of those two. No function takes an EF id, so the
//! 個人番号 (EF `0001`) cannot be selected through this API.

use serde::{Deserialize, Serialize};

use super::apdu::{Application, Channel};
use super::check::TextApFailure;
use super::error::{CardError, PinKind};
use super::pin::{self, Pin, PinCounter};
use super::read_binary;
use super::tlv::{self, TlvError};

/// AID of the 券面事項入力補助AP.
pub const TEXT_AP_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// The only EFs of this AP that the code can select.
#[derive(Debug, Clone, Copy)]
enum TextEf {
    /// The 基本4情報.
    BasicInfo,
    /// The PIN key reference.
    Pin,
}

impl TextEf {
    fn id(self) -> u16 {
        match self {
            Self::BasicInfo => 0x0002,
            Self::Pin => 0x0011,
        }
    }
}

/// 性別 as coded on the card (JIS X 0303).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardSex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `9`: not applicable.
    NotApplicable,
    /// `0`: unknown.
    Unknown,
}

impl CardSex {
    /// The JIS X 0303 code digit.
    pub fn code(self) -> char {
        match self {
            Self::Male => '1',
            Self::Female => '2',
            Self::NotApplicable => '9',
            Self::Unknown => '0',
        }
    }
}

/// The 基本4情報 as printed on the card. `Debug` hides the values.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicInfo {
    /// 氏名 (family and given name separated by U+3000), as on the card.
    pub name: String,
    /// 住所, as on the card (full-width digits).
    pub address: String,
    /// 生年月日 as the 8 ASCII digits `YYYYMMDD` on the card (Gregorian); kept as text because
    /// registers may hold incomplete dates.
    pub birth_date: String,
    /// 性別.
    pub sex: CardSex,
}

impl BasicInfo {
    /// The birth date as a calendar date, if it is a real one.
    pub fn birth_date(&self) -> Option<chrono::NaiveDate> {
        crate::clock::parse_digit_date(&self.birth_date, None)
    }
}

impl std::fmt::Debug for BasicInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BasicInfo { .. }")
    }
}

/// Why EF `0002` could not be parsed. Messages never contain the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BasicInfoError {
    /// A TLV of the file is malformed.
    #[error("基本4情報: {0}")]
    Tlv(#[from] TlvError),
    /// The `DF21` offset table is not four 2-byte offsets.
    #[error("基本4情報: the offset table has {0} bytes, not 8")]
    OffsetTable(usize),
    /// An offset points outside the `FF20` value (or into its header or offset table).
    #[error("基本4情報: offset {offset} of field {field} points outside the data")]
    OffsetOutOfRange {
        /// 0 = name … 3 = sex.
        field: usize,
        /// The offset from the start of the file.
        offset: usize,
    },
    /// A field is not valid UTF-8.
    #[error("基本4情報: field {0} is not UTF-8")]
    NotUtf8(usize),
    /// The birth date is not 8 ASCII digits.
    #[error("基本4情報: the birth date is not 8 digits")]
    BirthDate,
    /// The sex is not one of `0`, `1`, `2`, `9`.
    #[error("基本4情報: unknown sex code")]
    Sex,
}

impl From<BasicInfoError> for CardError {
    fn from(error: BasicInfoError) -> Self {
        CardError::Malformed {
            what: error.to_string(),
        }
    }
}

const TAG_CONTAINER: u32 = 0xFF20;
const TAG_OFFSETS: u32 = 0xDF21;
const TAG_FIELDS: [u32; 4] = [0xDF22, 0xDF23, 0xDF24, 0xDF25];

/// Parses EF `0002` of the text AP: `FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth,
/// DF25 sex }`. The offsets in `DF21` count from the start of the file and must point inside
/// the `FF20` value, after the offset table; each must hold the expected tag. Filler after
/// `FF20` is ignored.
pub fn parse_basic_info(file: &[u8]) -> Result<BasicInfo, BasicInfoError> {
    let header = tlv::parse_header(file)?;
    if header.tag != TAG_CONTAINER {
        return Err(TlvError::UnexpectedTag {
            expected: TAG_CONTAINER,
            found: header.tag,
        }
        .into());
    }
    let end = header.total_len();
    if file.len() < end {
        return Err(TlvError::Truncated {
            needed: end,
            available: file.len(),
        }
        .into());
    }
    let start = header.header_len;
    let (offsets, after_offsets) = tlv::expect_tag(&file[start..end], TAG_OFFSETS)?;
    if offsets.value.len() != 8 {
        return Err(BasicInfoError::OffsetTable(offsets.value.len()));
    }
    // The fields may start right after the offset table.
    let first_field = end - after_offsets.len();
    let mut values: [&[u8]; 4] = [&[]; 4];
    for (field, pair) in offsets.value.chunks_exact(2).enumerate() {
        let offset = usize::from(u16::from_be_bytes([pair[0], pair[1]]));
        if offset < first_field || offset >= end {
            return Err(BasicInfoError::OffsetOutOfRange { field, offset });
        }
        let (value, _) = tlv::expect_tag(&file[offset..end], TAG_FIELDS[field])?;
        values[field] = value.value;
    }
    let text = |field: usize| {
        std::str::from_utf8(values[field])
            .map(str::to_owned)
            .map_err(|_| BasicInfoError::NotUtf8(field))
    };
    let name = text(0)?;
    let address = text(1)?;
    let birth = values[2];
    if birth.len() != 8 || !birth.iter().all(u8::is_ascii_digit) {
        return Err(BasicInfoError::BirthDate);
    }
    let birth_date = text(2)?;
    let sex = match values[3] {
        b"1" => CardSex::Male,
        b"2" => CardSex::Female,
        b"9" => CardSex::NotApplicable,
        b"0" => CardSex::Unknown,
        _ => return Err(BasicInfoError::Sex),
    };
    Ok(BasicInfo {
        name,
        address,
        birth_date,
        sex,
    })
}

/// SELECT the text AP; its absence is reported as the status word.
pub(crate) fn select(ch: &mut Channel<'_>) -> Result<(), CardError> {
    ch.select_application(&TEXT_AP_AID, Application::Text)?
        .map_err(|sw| CardError::UnexpectedStatus { sw })
}

fn select_ef(ch: &mut Channel<'_>, ef: TextEf) -> Result<(), CardError> {
    if ch.current() != Some(Application::Text) {
        return Err(CardError::malformed("the text AP is not selected"));
    }
    ch.select_ef(ef.id())
}

/// Reads the text-AP PIN counter (no try spent). The AP must be selected.
pub(crate) fn pin_counter(ch: &mut Channel<'_>) -> Result<PinCounter, CardError> {
    select_ef(ch, TextEf::Pin)?;
    pin::read_counter(ch)
}

/// The text-AP PIN's tries when none is lost: a wrong PIN three times in a row blocks it, a
/// right one resets the count (公的個人認証サービス ポータルサイト, よくある質問
/// 「パスワードがロックされています」: 「券面事項入力補助用は3回連続で間違って入力した場合、ロック」;
/// docs/card-check.md, "Which PIN the 基本4情報 step sends").
pub const TEXT_PIN_TRIES: u8 = 3;

/// The guarded VERIFY of the text-AP PIN. The AP must be selected.
///
/// The PIN sent is the one typed for the 利用者証明用 check, and the two PINs may differ
/// (a card holder may set them alike, or not). So besides the PIN guard (counter first, its
/// last try only with consent, never resent), a counter below [`TEXT_PIN_TRIES`] — a try lost
/// since it was last entered right, most likely by this same PIN on an earlier check — holds
/// the VERIFY back without consent ([`TextApFailure::TriesLost`]): each check would otherwise
/// spend a try the user never chose to spend, down to the last.
pub(crate) fn verify_pin(
    ch: &mut Channel<'_>,
    pin: &Pin,
    allow_last_attempt: bool,
) -> Result<PinCounter, TextApFailure> {
    if ch.current() != Some(Application::Text) {
        return Err(TextApFailure::of(CardError::malformed(
            "the text AP is not selected",
        )));
    }
    let counter = pin::select_and_read_counter(ch, TextEf::Pin.id()).map_err(TextApFailure::of)?;
    if let PinCounter::Remaining(n) = counter
        && 1 < n
        && n < TEXT_PIN_TRIES
        && !allow_last_attempt
    {
        return Err(TextApFailure::TriesLost { retries_left: n });
    }
    pin::verify_once(ch, counter, PinKind::TextAp, pin, allow_last_attempt)
        .map_err(TextApFailure::of)
}

/// Reads and parses the 基本4情報 (after a successful VERIFY).
pub(crate) fn read_basic_info(ch: &mut Channel<'_>) -> Result<BasicInfo, CardError> {
    select_ef(ch, TextEf::BasicInfo)?;
    let file = read_binary::read_object(ch)?;
    Ok(parse_basic_info(&file)?)
}

/// Builds an EF `0002` image for tests (also used by the flow tests of `check`).
#[cfg(test)]
pub(crate) fn encode_basic_info(name: &str, address: &str, birth: &str, sex: &str) -> Vec<u8> {
    fn tlv(tag: u16, value: &[u8]) -> Vec<u8> {
        let mut v = tag.to_be_bytes().to_vec();
        match value.len() {
            n @ 0..=0x7F => v.push(n as u8),
            n @ 0x80..=0xFF => v.extend_from_slice(&[0x81, n as u8]),
            n => v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
        }
        v.extend_from_slice(value);
        v
    }
    let fields = [
        tlv(0xDF22, name.as_bytes()),
        tlv(0xDF23, address.as_bytes()),
        tlv(0xDF24, birth.as_bytes()),
        tlv(0xDF25, sex.as_bytes()),
    ];
    let body_len: usize = 11 + fields.iter().map(Vec::len).sum::<usize>();
    let header_len = match body_len {
        0..=0x7F => 3,
        0x80..=0xFF => 4,
        _ => 5,
    };
    let mut offsets = Vec::new();
    let mut at = header_len + 11;
    for f in &fields {
        offsets.extend_from_slice(&(at as u16).to_be_bytes());
        at += f.len();
    }
    let mut body = tlv(0xDF21, &offsets);
    for f in &fields {
        body.extend_from_slice(f);
    }
    tlv(0xFF20, &body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::card::mock::{MockTransport, hex};

    fn sample() -> Vec<u8> {
        encode_basic_info(
            "山田\u{3000}太郎",
            "東京都千代田区千代田１－１",
            "19800217",
            "1",
        )
    }

    #[test]
    fn parses_the_four_fields() {
        let mut file = sample();
        assert_eq!(&file[..2], &[0xFF, 0x20]);
        file.extend_from_slice(&[0xFF; 40]);
        let info = parse_basic_info(&file).unwrap();
        assert_eq!(info.name, "山田\u{3000}太郎");
        assert_eq!(info.address, "東京都千代田区千代田１－１");
        assert_eq!(info.birth_date, "19800217");
        assert_eq!(
            info.birth_date(),
            chrono::NaiveDate::from_ymd_opt(1980, 2, 17)
        );
        assert_eq!(info.sex, CardSex::Male);
        assert_eq!(format!("{info:?}"), "BasicInfo { .. }");
    }

    #[test]
    fn long_form_container_length() {
        let long_address = "北海道".repeat(20);
        let file = encode_basic_info("佐藤\u{3000}花子", &long_address, "20010101", "2");
        assert_eq!(file[2], 0x81);
        let info = parse_basic_info(&file).unwrap();
        assert_eq!(info.address, long_address);
        assert_eq!(info.sex, CardSex::Female);
        let longer = "北海道".repeat(40);
        let file = encode_basic_info("佐藤\u{3000}花子", &longer, "20010101", "9");
        assert_eq!(file[2], 0x82);
        assert_eq!(parse_basic_info(&file).unwrap().sex, CardSex::NotApplicable);
    }

    #[test]
    fn spec_example_offsets() {
        // The spec's example offset table 000E 0020 0059 0064: a 5-kanji name, an 18-kanji
        // address.
        let name = "山".repeat(5);
        let address = "川".repeat(18);
        let file = encode_basic_info(&name, &address, "19700101", "0");
        assert_eq!(&file[3..14], &hex("DF21 08 000E 0020 0059 0064")[..]);
        let info = parse_basic_info(&file).unwrap();
        assert_eq!(info.sex, CardSex::Unknown);
        assert_eq!(info.name, name);
        assert_eq!(info.address, address);
    }

    #[test]
    fn rejects_offsets_outside_the_file() {
        let mut file = sample();
        // First offset (name) → beyond the end.
        file[6] = 0x7F;
        file[7] = 0xFF;
        assert_eq!(
            parse_basic_info(&file),
            Err(BasicInfoError::OffsetOutOfRange {
                field: 0,
                offset: 0x7FFF
            })
        );
        // Second offset → into the offset table.
        let mut file = sample();
        file[8] = 0x00;
        file[9] = 0x03;
        assert_eq!(
            parse_basic_info(&file),
            Err(BasicInfoError::OffsetOutOfRange {
                field: 1,
                offset: 3
            })
        );
        // Offset exactly at the end of FF20.
        let mut file = sample();
        let end = file.len() as u16;
        file[12..14].copy_from_slice(&end.to_be_bytes());
        assert!(matches!(
            parse_basic_info(&file),
            Err(BasicInfoError::OffsetOutOfRange { field: 3, .. })
        ));
    }

    #[test]
    fn rejects_wrong_tags_and_truncation() {
        let mut file = sample();
        file[1] = 0x21;
        assert_eq!(
            parse_basic_info(&file),
            Err(BasicInfoError::Tlv(TlvError::UnexpectedTag {
                expected: 0xFF20,
                found: 0xFF21
            }))
        );
        // An offset that points at the address instead of the name.
        let mut file = sample();
        file.copy_within(8..10, 6);
        assert_eq!(
            parse_basic_info(&file),
            Err(BasicInfoError::Tlv(TlvError::UnexpectedTag {
                expected: 0xDF22,
                found: 0xDF23
            }))
        );
        let file = sample();
        assert!(matches!(
            parse_basic_info(&file[..file.len() - 1]),
            Err(BasicInfoError::Tlv(TlvError::Truncated { .. }))
        ));
        assert!(matches!(
            parse_basic_info(&[]),
            Err(BasicInfoError::Tlv(TlvError::Empty))
        ));
        // A field whose length runs past the end of FF20.
        let mut file = sample();
        let sex_at = usize::from(u16::from_be_bytes([file[12], file[13]]));
        file[sex_at + 2] = 0x05;
        assert!(matches!(
            parse_basic_info(&file),
            Err(BasicInfoError::Tlv(TlvError::Truncated { .. }))
        ));
        // Missing offset table.
        assert!(matches!(
            parse_basic_info(&hex("FF20 03 DF22 00")),
            Err(BasicInfoError::Tlv(TlvError::UnexpectedTag { .. }))
        ));
        assert_eq!(
            parse_basic_info(&hex("FF20 05 DF21 02 0000")),
            Err(BasicInfoError::OffsetTable(2))
        );
    }

    #[test]
    fn rejects_bad_field_contents() {
        let file = encode_basic_info("山田", "東京", "1980021", "1");
        assert_eq!(parse_basic_info(&file), Err(BasicInfoError::BirthDate));
        let file = encode_basic_info("山田", "東京", "1980O217", "1");
        assert_eq!(parse_basic_info(&file), Err(BasicInfoError::BirthDate));
        let file = encode_basic_info("山田", "東京", "19800217", "3");
        assert_eq!(parse_basic_info(&file), Err(BasicInfoError::Sex));
        let mut file = encode_basic_info("ab", "東京", "19800217", "1");
        let name_at = usize::from(u16::from_be_bytes([file[6], file[7]]));
        file[name_at + 3] = 0xFF;
        assert_eq!(parse_basic_info(&file), Err(BasicInfoError::NotUtf8(0)));
        // Errors carry no personal data.
        let text = BasicInfoError::NotUtf8(0).to_string();
        assert!(!text.contains("ab"));
    }

    #[test]
    fn reading_needs_the_ap_selected_and_never_touches_ef_0001() {
        let file = sample();
        let mut answer = file.clone();
        answer.extend_from_slice(&[0xFF; 10]);
        answer.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .expect("00A4040C0AD3921000310001010408", "9000")
            .expect("00A4020C020011", "9000")
            .expect("00200080", "63C3")
            .expect("00A4020C020011", "9000")
            .expect("00200080", "63C3")
            .expect("002000800431323334", "9000")
            .expect("00A4020C020002", "9000")
            .expect_bytes(hex("00B0000000"), answer);
        let mut ch = Channel::new(&mock);
        assert!(read_basic_info(&mut ch).is_err(), "not selected yet");
        assert!(mock.log().is_empty());
        select(&mut ch).unwrap();
        assert_eq!(pin_counter(&mut ch), Ok(PinCounter::Remaining(3)));
        verify_pin(&mut ch, &Pin::from_bytes(b"1234").unwrap(), false).unwrap();
        assert_eq!(read_basic_info(&mut ch).unwrap().birth_date, "19800217");
        mock.assert_done();
        mock.assert_never_selected_my_number();
    }

    #[test]
    fn the_channel_refuses_ef_0001_in_the_text_ap() {
        let mock = MockTransport::new().expect("00A4040C0AD3921000310001010408", "9000");
        let mut ch = Channel::new(&mock);
        select(&mut ch).unwrap();
        assert!(matches!(
            ch.select_ef(0x0001),
            Err(CardError::Malformed { .. })
        ));
        assert_eq!(mock.log().len(), 1);
        mock.assert_never_selected_my_number();
    }

    #[test]
    fn the_log_check_catches_a_my_number_select() {
        let log = vec![hex("00A4040C0AD3921000310001010408"), hex("00A4020C020001")];
        let caught =
            std::panic::catch_unwind(|| crate::card::mock::assert_no_my_number_select(&log));
        assert!(caught.is_err());
        // The same EF id in the JPKI AP (the sign certificate) is not the 個人番号.
        let log = vec![hex("00A4040C0AD392F000260100000001"), hex("00A4020C020001")];
        crate::card::mock::assert_no_my_number_select(&log);
    }

    #[test]
    fn missing_text_ap_is_an_unexpected_status() {
        let mock = MockTransport::new().expect("00A4040C0AD3921000310001010408", "6A82");
        assert!(matches!(
            select(&mut Channel::new(&mock)),
            Err(CardError::UnexpectedStatus { .. })
        ));
    }
}
