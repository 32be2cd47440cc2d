import ArgumentParser
import Store

/// `--db`: where results live.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Result store: an SQLite path or postgres://USER[:PASS]@HOST[:PORT]/DB "
                + "(default: $PARITY_DB, else ~/.local/share/parity/parity.sqlite).",
            valueName: "db"
        )
    )
    var db: String?

    var location: StoreLocation { StoreLocation(db) }
}
