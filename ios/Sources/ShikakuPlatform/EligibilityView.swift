import ShikakuCore
import SwiftUI

/// The eligibility screen of one member, laid out from the core's view model as it is (every
/// label, date form, badge and notice comes from the core; nothing is decided here).
public struct EligibilityView: View {
    private let screen: EligibilityScreenView
    private let onCheckCard: (() -> Void)?

    /// - Parameters:
    ///   - screen: the view model from `Household.screen(memberId:)`.
    ///   - onCheckCard: shows a 「マイナンバーカードで照合」 button when given.
    public init(screen: EligibilityScreenView, onCheckCard: (() -> Void)? = nil) {
        self.screen = screen
        self.onCheckCard = onCheckCard
    }

    public var body: some View {
        List {
            Section {
                VStack(alignment: .leading, spacing: 6) {
                    Text("\(screen.name)（\(screen.relationship)）")
                        .font(.title2)
                        .bold()
                    Text(screen.fixedNotice)
                        .font(.callout)
                        .bold()
                    HStack {
                        Text(screen.card.label)
                            .foregroundColor(Self.color(of: screen.card.state))
                        if let checkedAt = screen.card.checkedAt {
                            Text(checkedAt).font(.footnote)
                        }
                    }
                    if let freshness = screen.freshness {
                        Text("\(freshness.heading) \(freshness.label)（\(freshness.age)）")
                            .font(.footnote)
                    }
                }
            }
            if !screen.notices.isEmpty {
                Section("お知らせ") {
                    ForEach(Array(screen.notices.enumerated()), id: \.offset) { _, notice in
                        Text(notice.message)
                            .foregroundColor(Self.color(of: notice.severity))
                    }
                }
            }
            ForEach(Array(screen.sections.enumerated()), id: \.offset) { _, section in
                Section {
                    ForEach(section.fields, id: \.id) { field in
                        HStack(alignment: .top) {
                            Text(field.label)
                                .foregroundColor(.secondary)
                            Spacer()
                            VStack(alignment: .trailing) {
                                Text(field.value)
                                if let secondary = field.secondary {
                                    Text(secondary).font(.footnote).foregroundColor(.secondary)
                                }
                            }
                        }
                    }
                } header: {
                    HStack {
                        Text(section.title)
                        if let label = section.provenanceLabel {
                            Text(label).foregroundColor(Self.color(of: section.provenance))
                        }
                    }
                }
            }
            if let onCheckCard = onCheckCard {
                Section {
                    Button("マイナンバーカードで照合", action: onCheckCard)
                }
            }
        }
    }

    private static func color(of state: CardState) -> Color {
        switch state {
        case .checked: return .green
        case .genuineNotLinked: return .orange
        case .testAnchor: return .purple
        case .notChecked: return .gray
        case .mismatch: return .red
        }
    }

    private static func color(of severity: Severity) -> Color {
        switch severity {
        case .critical: return .red
        case .warning: return .orange
        case .info: return .blue
        }
    }

    private static func color(of provenance: ProvenanceState?) -> Color {
        switch provenance {
        case .verified: return .green
        case .handEntered: return .orange
        case .signatureInvalid: return .red
        case .signedExpired: return .orange
        case .none: return .gray
        }
    }
}
