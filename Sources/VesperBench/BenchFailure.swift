/// A bench run that could not be carried out at all (as opposed to one that found lost or failed jobs,
/// which ends with a report whose ``BenchReport/isCorrect`` is false).
public struct BenchFailure: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
