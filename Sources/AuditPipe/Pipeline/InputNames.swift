import Synchronization

/// The display names of a run's inputs by index; a followed glob adds inputs as new files appear.
public final class InputNames: Sendable {
    /// Each input's display name, and the source name its events' ids are made of (`Enricher.idName` of it,
    /// worked out once rather than for every event).
    private struct Names {
        var display: [String]
        var source: [String]
    }

    private let names: Mutex<Names>

    /// Creates the registry with the inputs known at the start.
    public init(_ initial: [String]) {
        names = Mutex(Names(display: initial, source: initial.map(Enricher.idName)))
    }

    /// The name of input `index`, or `-` when unknown.
    public func name(of index: Int32) -> String {
        names.withLock { Int(index) < $0.display.count && index >= 0 ? $0.display[Int(index)] : "-" }
    }

    /// `Enricher.idName` of input `index`'s name (`-` when unknown): the source an event id names.
    func sourceName(of index: Int32) -> String {
        names.withLock { Int(index) < $0.source.count && index >= 0 ? $0.source[Int(index)] : "-" }
    }

    /// Registers a new input; returns its index.
    func add(_ name: String) -> Int32 {
        let source = Enricher.idName(name)
        return names.withLock { n in
            n.display.append(name)
            n.source.append(source)
            return Int32(n.display.count - 1)
        }
    }

    /// All names so far.
    var all: [String] { names.withLock { $0.display } }
}
