import CoreNFC
import Foundation
import ShikakuCore

/// The card seam on iOS: APDUs to the My Number Card through `NFCTagReaderSession` (ISO 14443,
/// ISO 7816 tags).
///
/// The core's calls are blocking, so `transceive` waits on a semaphore while CoreNFC answers
/// on the session's own queue; run the core from a background thread (``run(alert:work:completion:)``
/// does). The transport never retries a command: the core decides what may be resent (never a
/// PIN VERIFY).
///
/// Needs the `com.apple.developer.nfc.readersession.formats` entitlement (`TAG`), the
/// `NFCReaderUsageDescription` and the select-identifiers list with the two AIDs below in the
/// app's Info.plist (see `ios/Sample`).
public final class CoreNFCCardTransport: NSObject, CardTransport, NFCTagReaderSessionDelegate, @unchecked Sendable {
    /// The 公的個人認証AP (JPKI) AID.
    public static let jpkiAID = Data([0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01])
    /// The 券面事項入力補助AP AID.
    public static let textAID = Data([0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08])

    /// Per-APDU timeout; RSA signing on the card takes seconds.
    public let timeout: TimeInterval

    private let queue = DispatchQueue(label: "jp.shikaku.nfc")
    private let lock = NSLock()
    private var session: NFCTagReaderSession?
    private var tag: NFCISO7816Tag?
    private var work: ((CoreNFCCardTransport) throws -> String)?
    private var completion: ((Result<String, Error>) -> Void)?
    private var finished = false

    /// - Parameter timeout: per-APDU timeout in seconds (default 20).
    public init(timeout: TimeInterval = 20) {
        self.timeout = timeout
        super.init()
    }

    /// True when the device can read ISO 7816 tags.
    public static var isAvailable: Bool {
        NFCTagReaderSession.readingAvailable
    }

    /// Starts a reader session showing `alert`. When a My Number Card is connected and its
    /// JPKI application answered an explicit SELECT, `work` runs on a background thread with
    /// this transport (call the core there); its returned text is shown when the session ends.
    /// `completion` gets the result, or the error that ended the session.
    public func run(
        alert: String,
        work: @escaping (CoreNFCCardTransport) throws -> String,
        completion: @escaping (Result<String, Error>) -> Void
    ) {
        lock.lock()
        self.work = work
        self.completion = completion
        finished = false
        lock.unlock()
        guard let session = NFCTagReaderSession(pollingOption: [.iso14443], delegate: self, queue: queue) else {
            finish(.failure(TransportError.Other(reason: "NFC reader session unavailable")), message: nil)
            return
        }
        self.session = session
        session.alertMessage = alert
        session.begin()
    }

    // MARK: CardTransport

    /// Sends one command APDU and returns the response data followed by SW1 SW2.
    public func transceive(apdu: Data) throws -> Data {
        lock.lock()
        let current = tag
        lock.unlock()
        guard let tag = current else {
            throw TransportError.TagLost
        }
        guard let command = NFCISO7816APDU(data: apdu) else {
            throw TransportError.Other(reason: "malformed command APDU")
        }
        let done = DispatchSemaphore(value: 0)
        var outcome: Result<Data, TransportError> = .failure(.Timeout)
        tag.sendCommand(apdu: command) { data, sw1, sw2, error in
            if let error = error {
                outcome = .failure(Self.map(error))
            } else {
                var response = data
                response.append(sw1)
                response.append(sw2)
                outcome = .success(response)
            }
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
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

    // MARK: NFCTagReaderSessionDelegate

    public func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    public func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        lock.lock()
        tag = nil
        lock.unlock()
        finish(.failure(Self.map(error)), message: nil)
    }

    public func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard tags.count == 1, case let .iso7816(card) = tags[0] else {
            session.alertMessage = "カードを1枚だけかざしてください。"
            session.restartPolling()
            return
        }
        session.connect(to: tags[0]) { [weak self] error in
            guard let self = self else { return }
            if error != nil {
                session.restartPolling()
                return
            }
            self.lock.lock()
            self.tag = card
            self.lock.unlock()
            DispatchQueue.global(qos: .userInitiated).async {
                self.runWork(session: session)
            }
        }
    }

    /// Explicit SELECT of the JPKI AP (iOS may have selected another AID of the list), then
    /// the caller's work.
    private func runWork(session: NFCTagReaderSession) {
        do {
            var select = Data([0x00, 0xA4, 0x04, 0x0C, UInt8(Self.jpkiAID.count)])
            select.append(Self.jpkiAID)
            let response = try transceive(apdu: select)
            guard response.suffix(2) == Data([0x90, 0x00]) else {
                throw TransportError.Other(reason: "not a My Number Card")
            }
            lock.lock()
            let job = work
            lock.unlock()
            guard let job = job else { return }
            let message = try job(self)
            finish(.success(message), message: message)
        } catch {
            finish(.failure(error), message: nil)
        }
    }

    private func finish(_ result: Result<String, Error>, message: String?) {
        lock.lock()
        if finished {
            lock.unlock()
            return
        }
        finished = true
        let callback = completion
        let current = session
        completion = nil
        work = nil
        tag = nil
        session = nil
        lock.unlock()
        if let current = current {
            if let message = message {
                current.alertMessage = message
                current.invalidate()
            } else if case let .failure(error) = result, !(error is NFCReaderError) {
                current.invalidate(errorMessage: "読み取りを完了できませんでした。")
            } else {
                current.invalidate()
            }
        }
        callback?(result)
    }
}
