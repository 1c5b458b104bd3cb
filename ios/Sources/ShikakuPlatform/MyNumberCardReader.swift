@preconcurrency import CoreNFC
import Foundation
import ShikakuCore

/// Reads the My Number Card over NFC for the core, with `async`/`await`.
///
/// ``read(alert:successMessage:timeout:work:)`` opens an `NFCTagReaderSession` (ISO 14443,
/// ISO 7816 tags), waits for one card, runs `work` with a ``CardTransport`` to it on a GCD
/// thread (the core's calls block for seconds while the card signs) and ends the session.
/// The core selects the card's applications itself and answers `NotAMyNumberCard`-style
/// failures with its own typed ``ShikakuError``; nothing is sent here.
///
/// Needs the `com.apple.developer.nfc.readersession.formats` entitlement (`TAG`), the
/// `NFCReaderUsageDescription` and the select-identifiers list with the two AIDs below in the
/// app's Info.plist (see `ios/Sample`).
public enum MyNumberCardReader {
    /// The 公的個人認証AP (JPKI) AID.
    public static let jpkiAID = Data([0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01])
    /// The 券面事項入力補助AP AID.
    public static let textAID = Data([0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08])

    /// True when the device can read ISO 7816 tags.
    public static var isAvailable: Bool {
        NFCTagReaderSession.readingAvailable
    }

    /// Opens a reader session showing `alert`, waits for one card and returns what `work`
    /// returns; the session then closes showing `successMessage`.
    ///
    /// - Parameters:
    ///   - alert: the reader sheet's text.
    ///   - successMessage: shown when `work` succeeded.
    ///   - timeout: per-APDU timeout in seconds; RSA signing on the card takes seconds.
    ///   - work: the core's call, blocking, with the connected card.
    /// - Throws: `work`'s errors as they are (the core's typed ``ShikakuError``);
    ///   ``TransportError`` when the session ended before a card was connected
    ///   (`.Timeout` for the session's own time limit); `CancellationError` when the user
    ///   closed the sheet or the task was cancelled.
    public static func read<Value: Sendable>(
        alert: String,
        successMessage: String,
        timeout: TimeInterval = 20,
        work: @escaping @Sendable (any CardTransport) throws -> Value
    ) async throws -> Value {
        let session = await CardReaderSession(alert: alert, timeout: timeout)
        return try await withTaskCancellationHandler {
            let transport = try await session.connect()
            do {
                let value = try await runBlocking { try work(transport) }
                await session.end(message: successMessage)
                return value
            } catch {
                await session.end(errorMessage: "読み取りを完了できませんでした。")
                throw error
            }
        } onCancel: {
            Task { @MainActor in session.cancel() }
        }
    }
}

/// Runs a blocking call on a GCD thread (never on the cooperative pool) and awaits it.
func runBlocking<Value: Sendable>(
    _ body: @escaping @Sendable () throws -> Value
) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// One reader session; its delegate callbacks arrive on the main queue, so all of its state
/// is main-actor isolated.
@MainActor
final class CardReaderSession: NSObject, @preconcurrency NFCTagReaderSessionDelegate {
    private let alert: String
    private let timeout: TimeInterval
    private var session: NFCTagReaderSession?
    private var pending: CheckedContinuation<TagTransport, Error>?
    private var cancelled = false

    init(alert: String, timeout: TimeInterval) {
        self.alert = alert
        self.timeout = timeout
        super.init()
    }

    /// Begins the session and resumes when one ISO 7816 tag is connected.
    func connect() async throws -> TagTransport {
        try await withCheckedThrowingContinuation { continuation in
            if cancelled {
                continuation.resume(throwing: CancellationError())
                return
            }
            guard let session = NFCTagReaderSession(pollingOption: [.iso14443], delegate: self, queue: .main) else {
                continuation.resume(throwing: TransportError.Other(reason: "NFC reader session unavailable"))
                return
            }
            pending = continuation
            self.session = session
            session.alertMessage = alert
            session.begin()
        }
    }

    /// Closes the sheet showing `message`.
    func end(message: String) {
        session?.alertMessage = message
        session?.invalidate()
        session = nil
    }

    /// Closes the sheet showing an error.
    func end(errorMessage: String) {
        session?.invalidate(errorMessage: errorMessage)
        session = nil
    }

    /// The task was cancelled.
    func cancel() {
        cancelled = true
        if let session {
            session.invalidate()
        } else {
            resume(throwing: CancellationError())
        }
    }

    private func resume(returning transport: TagTransport) {
        pending?.resume(returning: transport)
        pending = nil
    }

    private func resume(throwing error: Error) {
        pending?.resume(throwing: error)
        pending = nil
    }

    private func sessionError(_ error: Error) -> Error {
        if cancelled {
            return CancellationError()
        }
        guard let nfc = error as? NFCReaderError else {
            return TransportError.Other(reason: String(describing: type(of: error)))
        }
        switch nfc.code {
        case .readerSessionInvalidationErrorUserCanceled:
            return CancellationError()
        case .readerSessionInvalidationErrorSessionTimeout:
            return TransportError.Timeout
        default:
            return TransportError.Other(reason: "CoreNFC error \(nfc.code.rawValue)")
        }
    }

    // MARK: NFCTagReaderSessionDelegate (on the main queue)

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        self.session = nil
        resume(throwing: sessionError(error))
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard tags.count == 1, case let .iso7816(card) = tags[0] else {
            session.alertMessage = "カードを1枚だけかざしてください。"
            session.restartPolling()
            return
        }
        session.connect(to: tags[0]) { [weak self] error in
            guard let self else { return }
            if error != nil {
                session.restartPolling()
                return
            }
            self.resume(returning: TagTransport(tag: card, timeout: self.timeout))
        }
    }
}

/// The card seam on iOS: APDUs to a connected ISO 7816 tag. Blocking, as the core's seams
/// are: `transceive` waits for CoreNFC's answer. It never retries a command: the core decides
/// what may be resent (never a PIN VERIFY).
final class TagTransport: CardTransport, Sendable {
    private let tag: any NFCISO7816Tag
    private let timeout: TimeInterval

    init(tag: any NFCISO7816Tag, timeout: TimeInterval) {
        self.tag = tag
        self.timeout = timeout
    }

    /// Extended-length APDUs are supported: CoreNFC's `NFCISO7816APDU(data:)` parses the
    /// extended encoding (a 3-byte Le, `expectedResponseLength` up to 65,536) and an iPhone
    /// carries such APDUs to an ISO 7816 tag, so the core reads the certificate in one READ
    /// BINARY. A card that refuses them (`6700`), or an exchange that fails before any PIN is
    /// sent, makes the core fall back to short reads for the rest of the session.
    func extendedLength() -> Bool {
        true
    }

    /// Sends one command APDU and returns the response data followed by SW1 SW2.
    func transceive(apdu: Data) throws -> Data {
        guard let command = NFCISO7816APDU(data: apdu) else {
            throw TransportError.Other(reason: "malformed command APDU")
        }
        let reply = BlockingReply<Result<Data, TransportError>>()
        tag.sendCommand(apdu: command) { data, sw1, sw2, error in
            if let error {
                reply.put(.failure(Self.map(error)))
            } else {
                reply.put(.success(data + Data([sw1, sw2])))
            }
        }
        guard let outcome = reply.wait(timeout: timeout) else {
            throw TransportError.Timeout
        }
        return try outcome.get()
    }

    private static func map(_ error: Error) -> TransportError {
        guard let nfc = error as? NFCReaderError else {
            return .Other(reason: String(describing: type(of: error)))
        }
        switch nfc.code {
        case .readerTransceiveErrorTagConnectionLost,
             .readerTransceiveErrorTagNotConnected,
             .readerTransceiveErrorSessionInvalidated,
             .readerSessionInvalidationErrorUserCanceled:
            return .TagLost
        case .readerSessionInvalidationErrorSessionTimeout:
            return .Timeout
        default:
            return .Other(reason: "CoreNFC error \(nfc.code.rawValue)")
        }
    }
}
