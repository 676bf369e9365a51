/// A setting has a value Vesper cannot use. The message names the variable and never echoes a secret.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "invalid \(variable): \(message)" }
}
