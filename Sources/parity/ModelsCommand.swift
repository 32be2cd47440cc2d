import ArgumentParser
import Catalogue

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the LLM architectures the performance model knows.",
        subcommands: [List.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List model architectures with derived sizes.")

        @OptionGroup var catalogue: CatalogueOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            try reportingErrors {
                let models = try catalogue.loadModels().models
                if json {
                    try printJSON(models)
                    return
                }
                var table = TextTable(
                    headers: ["ID", "NAME", "LAYERS", "PARAMS", "ACTIVE", "ATTENTION", "KV ELEMENTS/TOKEN"],
                    rightAligned: [2, 3, 4, 6]
                )
                for model in models {
                    table.append([
                        model.id, model.name, String(model.layers),
                        "\(Quantity.trimmed(model.totalParams / 1e9, digits: 1))B",
                        "\(Quantity.trimmed(model.activeParams / 1e9, digits: 1))B",
                        model.mla != nil ? "MLA" : model.kvHeads == model.heads ? "MHA" : "GQA",
                        String(Int(model.kvElementsPerToken)),
                    ])
                }
                print(table.render())
            }
        }
    }
}
