/// What a running benchmark reports as it goes (for a progress bar and summaries; the library prints nothing).
public enum ServeEvent: Sendable {
    /// A measured run starts.
    case runStarted(point: Int, run: Int, shape: LoadShape)
    /// Requests done so far in the current run (about five times a second).
    case requests(Progress)
    case runFinished(ServeRun)
    case pointFinished(ServePoint)
}
