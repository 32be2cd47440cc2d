import ArgumentParser

@main
struct Parity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract:
            "Decide, with evidence, whether one AI accelerator is comparable to another — and whether it may be bought.",
        discussion: """
            Exit codes: 0 success; 1 a failure the message explains (unknown chip, bad data file); \
            64 invalid arguments.
            Catalogue overrides: --catalogue DIR on any command, or PARITY_CATALOGUE=DIR[:DIR…].
            """,
        subcommands: [
            AssessCommand.self, BenchCommand.self, CampaignCommand.self, ChipsCommand.self, ClassifyCommand.self,
            CheckCommand.self,
            DirectivesCommand.self,
            FleetCommand.self, KeysCommand.self, ModelsCommand.self, PredictCommand.self, ResultsCommand.self,
            ServerCommand.self, SimulateCommand.self, SupplyCommand.self, TokensCommand.self,
            ValidateCommand.self, VerifyCommand.self,
        ],
        defaultSubcommand: nil
    )
}
