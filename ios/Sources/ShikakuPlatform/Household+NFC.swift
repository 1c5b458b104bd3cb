import Foundation
import ShikakuCore

extension Household {
    /// Checks the member's My Number Card over NFC and stores the result for the member
    /// (``MyNumberCardReader`` around `checkCard(memberId:transport:pin:options:)`).
    ///
    /// `pin` holds the PIN's ASCII digits as bytes (never a `String`), so that the caller can
    /// wipe it (`resetBytes(in:)`) once this returns.
    ///
    /// The PIN rules are the core's, per PIN: with one try left on the 利用者証明用 PIN it sends
    /// nothing and throws `ShikakuError.LastAttemptNeedsConsent` (ask, then call again with
    /// `options.allowLastAuthAttempt`); the 券面事項入力補助 PIN has its own consent
    /// (`options.allowLastTextAttempt`) and its outcome is `result.basicInfo`, beside the good
    /// check; a VERIFY is never resent.
    ///
    /// The NFC sheet only says the card was read: show `result.badge` (the core's label for the
    /// member with this check stored) as the outcome, since a check that succeeded can still be
    /// 照合不一致 (another person's card) or a test anchor. When the 基本4情報 step failed beside
    /// the good check, `result.basicInfoMessageJa` says why in the core's words: show it too.
    public func checkCard(
        memberId: String,
        pin: Data,
        options: CardCheckOptions,
        alert: String = "マイナンバーカードをiPhoneの上部にかざしてください。"
    ) async throws -> CardCheckResult {
        try await MyNumberCardReader.read(alert: alert, successMessage: "読み取りました。") { transport in
            try self.checkCard(memberId: memberId, transport: transport, pin: pin, options: options)
        }
    }

    /// Downloads the household's signed documents, the card logging in over NFC
    /// (``MyNumberCardReader`` around `sync(http:card:pin:settings:)`).
    public func sync(
        http: any HttpTransport,
        pin: Data,
        settings: SyncSettings,
        alert: String = "マイナンバーカードをiPhoneの上部にかざしてください。"
    ) async throws -> SyncOutcome {
        try await MyNumberCardReader.read(alert: alert, successMessage: "取得しました。") { card in
            try self.sync(http: http, card: card, pin: pin, settings: settings)
        }
    }

    /// The PIN counters over NFC without spending a try (`cardStatus(transport:)`). Read again
    /// after a lost answer to a VERIFY (`ShikakuError.Card` with `verifyInFlight`), a counter's
    /// meaning is the core's: `authPin.rereadMessageJa()`, never the app's own PIN wording.
    public static func cardStatusOverNFC(
        alert: String = "マイナンバーカードをiPhoneの上部にかざしてください。"
    ) async throws -> CardStatusInfo {
        try await MyNumberCardReader.read(alert: alert, successMessage: "読み取りました。") { transport in
            try cardStatus(transport: transport)
        }
    }
}
