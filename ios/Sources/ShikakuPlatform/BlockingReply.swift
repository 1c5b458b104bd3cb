import Foundation

/// Hands one value from a completion handler to a thread blocked until it arrives: the bridge
/// from CoreNFC's and URLSession's callbacks to the core's blocking seams (`CardTransport`,
/// `HttpTransport`), which Rust calls from its own threads. `@unchecked Sendable` (as is the
/// URLSession transport's per-task delegate): `value` is only touched under `lock`.
final class BlockingReply<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let arrived = DispatchSemaphore(value: 0)
    private var value: Value?

    /// Delivers the value (the first one wins).
    func put(_ newValue: Value) {
        lock.lock()
        if value == nil {
            value = newValue
        }
        lock.unlock()
        arrived.signal()
    }

    /// Blocks until the value arrives, or returns nil after `timeout` seconds.
    func wait(timeout: TimeInterval) -> Value? {
        guard arrived.wait(timeout: .now() + timeout) == .success else {
            return nil
        }
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
