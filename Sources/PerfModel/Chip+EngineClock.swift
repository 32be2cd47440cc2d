public import Catalogue

extension Chip {
    /// The chip with its dense and sparse matrix peaks scaled by `fraction`, the ratio of the engine clock a run
    /// capped it at to the clock the peaks are quoted at (a matrix peak is compute units × engine clock × FLOPs per
    /// clock per unit, so it scales with the clock). Memory bandwidth, capacity and links are untouched.
    public func clockedMatrixPeaks(fraction: Double) -> Chip {
        var copy = self
        copy.densePeak = densePeak.mapValues { peak in
            var scaled = peak
            scaled.value *= fraction
            return scaled
        }
        copy.sparsePeak = sparsePeak.mapValues { peak in
            var scaled = peak
            scaled.value *= fraction
            return scaled
        }
        return copy
    }
}
