import Synchronization

/// The display names of a run's inputs by index; a followed glob adds inputs as new files appear.
public final class InputNames: Sendable {
    private let names: Mutex<[String]>

    /// Creates the registry with the inputs known at the start.
    public init(_ initial: [String]) { names = Mutex(initial) }

    /// The name of input `index`, or `-` when unknown.
    public func name(of index: Int32) -> String {
        names.withLock { Int(index) < $0.count && index >= 0 ? $0[Int(index)] : "-" }
    }

    /// Registers a new input; returns its index.
    func add(_ name: String) -> Int32 {
        names.withLock { n in
            n.append(name)
            return Int32(n.count - 1)
        }
    }

    /// All names so far.
    var all: [String] { names.withLock { $0 } }
}
