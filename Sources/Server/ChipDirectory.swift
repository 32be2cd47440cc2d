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

    /// A store chip whose ID the catalogue also has: ignored, because the catalogue wins.
    struct Clash: Sendable, Equatable {
        var id: String
        var addedBy: String
    }

    struct State: Sendable {
        var catalogue: ChipCatalogue
        var summaries: [String: Summary]
        /// Summaries sorted by ID, for pages.
        var sorted: [Summary]
        /// The whole list's JSON, served when it fits one default page.
        var listJSON: Data
        var clashes: [Clash]
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

    /// The catalogue's chips, then the store's chips whose IDs the catalogue does not have: a vendor-added chip can
    /// never shadow a catalogue chip, even one the catalogue ships after the vendor added it.
    static func state(catalogue: ChipCatalogue, stored: [(chip: Chip, addedBy: String)]) -> State {
        var summaries: [String: Summary] = [:]
        for chip in catalogue.chips { summaries[chip.id] = summary(chip, origin: "catalogue") }
        var kept: [Chip] = []
        var clashes: [Clash] = []
        for (chip, addedBy) in stored {
            guard summaries[chip.id] == nil else {
                clashes.append(Clash(id: chip.id, addedBy: addedBy))
                continue
            }
            summaries[chip.id] = summary(chip, origin: "store")
            kept.append(chip)
        }
        let list = summaries.values.sorted { $0.id < $1.id }
        var data = JSON.encode(list)
        data.append(0x0A)
        return State(
            catalogue: ChipCatalogue(chips: catalogue.chips + kept),
            summaries: summaries,
            sorted: list,
            listJSON: data,
            clashes: clashes
        )
    }

    /// Rebuilds from the store's chips (on start and after an addition).
    func reload(from store: any ResultStore) async throws {
        var stored: [(chip: Chip, addedBy: String)] = []
        for entry in try await store.chips() {
            if let chip = try? ChipCatalogue.decode(text: entry.document, file: "store:\(entry.id)") {
                stored.append((chip, entry.addedBy))
            }
        }
        let next = Self.state(catalogue: builtIn, stored: stored)
        state.withLock { $0 = next }
    }

    /// One page of the list, sorted by ID: `limit` chips after the ID `after`, and whether more follow.
    func page(limit: Int, after: String?) -> (json: Data, last: String?, more: Bool) {
        state.withLock { state in
            if after == nil, state.sorted.count <= limit { return (state.listJSON, nil, false) }
            let start = after.map { id in state.sorted.firstIndex { $0.id > id } ?? state.sorted.count } ?? 0
            let slice = state.sorted[start..<min(state.sorted.count, start + limit)]
            var data = JSON.encode(Array(slice))
            data.append(0x0A)
            return (data, slice.last?.id, start + slice.count < state.sorted.count)
        }
    }

    var clashes: [Clash] { state.withLock { $0.clashes } }

    /// The store chips a vendor added (counted against its cap).
    func storeChipCount(vendor: String) -> Int {
        state.withLock { $0.summaries.values.count { $0.origin == "store" && $0.vendorSlug == vendor } }
    }

    func summary(_ id: String) -> Summary? { state.withLock { $0.summaries[id] } }

    var catalogue: ChipCatalogue { state.withLock { $0.catalogue } }
}
