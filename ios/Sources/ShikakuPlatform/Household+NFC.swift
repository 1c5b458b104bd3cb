import Foundation
import ShikakuCore

extension Household {
    /// Checks the member's My Number Card over NFC and stores the result for the member
    /// (``MyNumberCardReader`` around `checkCard(memberId:transport:pin:options:)`).
    ///
    /// The PIN rules are the core's: with one try left it sends nothing and throws
    /// `ShikakuError.LastAttemptNeedsConsent` (ask, then call again with
    /// `options.allowLastAttempt`); a VERIFY is never resent.
    public func checkCard(
        memberId: String,
        pin: String,
        options: CardCheckOptions,
        alert: String = "マイナンバーカードをiPhoneの上部にかざしてください。"
    ) async throws -> CardCheckResult {
        try await MyNumberCardReader.read(alert: alert, successMessage: "照合しました。") { transport in
            try self.checkCard(memberId: memberId, transport: transport, pin: pin, options: options)
        }
    }

    /// Downloads the household's signed documents, the card logging in over NFC
    /// (``MyNumberCardReader`` around `sync(http:card:pin:settings:)`).
    public func sync(
        http: any HttpTransport,
        pin: String,
        settings: SyncSettings,
        alert: String = "マイナンバーカードをiPhoneの上部にかざしてください。"
    ) async throws -> SyncOutcome {
        try await MyNumberCardReader.read(alert: alert, successMessage: "取得しました。") { card in
            try self.sync(http: http, card: card, pin: pin, settings: settings)
        }
    }

    /// The PIN counters over NFC without spending a try (`cardStatus(transport:)`).
    public static func cardStatusOverNFC(
        alert: String = "マイナンバーカードをiPhoneの上部にかざしてください。"
    ) async throws -> CardStatusInfo {
        try await MyNumberCardReader.read(alert: alert, successMessage: "読み取りました。") { transport in
            try cardStatus(transport: transport)
        }
    }
}
