import Catalogue
import Foundation
import Store
import Synchronization

/// The chips the API serves: the built-in (and `--catalogue`) chips plus those users added to the store. The
/// list's JSON is encoded once and kept until a chip is added, so `GET /v1/chips` costs no encoding.
final class ChipDirectory: Sendable {
    struct Summary: Sendable, Codable, Equatable {
        var id: String
        var name: String
        var vendor: String
        /// The vendor as tokens name it (`vendor:SLUG`).
        var vendorSlug: String
        var market: String
        var memoryBytes: Double
        var memoryBandwidthBytesPerSecond: Double
        /// Dense peak throughput by precision, in FLOP/s (OP/s for integers).
        var densePeak: [String: Double]
        var tdpWatts: Double?
        /// `catalogue` or `store`.
        var origin: String
    }

    struct State: Sendable {
        var catalogue: ChipCatalogue
        var summaries: [String: Summary]
        var listJSON: Data
    }

    let builtIn: ChipCatalogue
    private let state: Mutex<State>

    init(builtIn: ChipCatalogue) {
        self.builtIn = builtIn
        state = Mutex(Self.state(catalogue: builtIn, stored: []))
    }

    static func summary(_ chip: Chip, origin: String) -> Summary {
        Summary(
            id: chip.id,
            name: chip.name,
            vendor: chip.vendor,
            vendorSlug: chip.vendorSlug,
            market: chip.market.rawValue,
            memoryBytes: chip.memory.capacityBytes.value,
            memoryBandwidthBytesPerSecond: chip.memory.bandwidthBytesPerSecond.value,
            densePeak: Dictionary(uniqueKeysWithValues: chip.densePeak.map { ($0.key.rawValue, $0.value.value) }),
            tdpWatts: chip.tdpWatts?.value,
            origin: origin
        )
    }

    static func state(catalogue: ChipCatalogue, stored: [Chip]) -> State {
        var summaries: [String: Summary] = [:]
        for chip in catalogue.chips { summaries[chip.id] = summary(chip, origin: "catalogue") }
        for chip in stored { summaries[chip.id] = summary(chip, origin: "store") }
        let list = summaries.values.sorted { $0.id < $1.id }
        var data = JSON.encode(list)
        data.append(0x0A)
        return State(catalogue: ChipCatalogue(chips: catalogue.chips + stored), summaries: summaries, listJSON: data)
    }

    /// Rebuilds from the store's chips (on start and after an addition).
    func reload(from store: any ResultStore) async throws {
        var stored: [Chip] = []
        for entry in try await store.chips() {
            if let chip = try? ChipCatalogue.decode(text: entry.document, file: "store:\(entry.id)") {
                stored.append(chip)
            }
        }
        let next = Self.state(catalogue: builtIn, stored: stored)
        state.withLock { $0 = next }
    }

    var listJSON: Data { state.withLock { $0.listJSON } }

    func summary(_ id: String) -> Summary? { state.withLock { $0.summaries[id] } }

    var catalogue: ChipCatalogue { state.withLock { $0.catalogue } }
}
