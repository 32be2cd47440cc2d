/// A plain text table with right-aligned numeric columns, for terminal output.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    /// Columns aligned right (numbers).
    var rightAligned: Set<Int> = []

    init(headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    /// Adds a row. Cells are text from data (token names, result IDs, chip names), so control characters are shown
    /// escaped; `painted` rows carry this program's own colour sequences and are kept as they are.
    mutating func append(_ row: [String], painted: Bool = false) {
        rows.append(painted ? row : row.map(Terminal.printable))
    }

    func render() -> String {
        var widths = headers.map(\.visibleWidth)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.visibleWidth)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, widths[index] - cell.visibleWidth))
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var output = [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        output += rows.map(line)
        return output.joined(separator: "\n")
    }
}

extension String {
    /// Characters shown on a terminal: ANSI colour sequences take no width.
    var visibleWidth: Int {
        var width = 0
        var inEscape = false
        for character in self {
            if inEscape {
                if character == "m" { inEscape = false }
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }

    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
