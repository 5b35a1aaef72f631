import Synchronization

/// A multi-producer, multi-consumer async queue holding at most `capacity` elements: a full channel
/// suspends senders, so a slow stage applies back-pressure instead of growing memory.
public final class BoundedChannel<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element?] = []
        var head = 0
        var finished = false
        var receivers: [CheckedContinuation<Element?, Never>] = []
        var senders: [(CheckedContinuation<Void, Never>, Element)] = []
        var count: Int { buffer.count - head }
    }

    private enum SendAction {
        case done
        case resume(CheckedContinuation<Element?, Never>)
        case wait
    }

    private enum ReceiveAction {
        case value(Element, CheckedContinuation<Void, Never>?)
        case end
        case wait
    }

    private let capacity: Int
    private let state: Mutex<State>
    /// Where this channel's waits are counted (the bench's "where the pipeline waits"), if anywhere.
    private let meter: (waits: PipelineWaits, edge: PipelineWaits.Edge)?

    /// Creates a channel holding at most `capacity` (≥ 1) elements.
    public init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        state = Mutex(State())
        meter = nil
    }

    /// Creates a channel whose waits are counted in `waits` as `edge`'s.
    init(capacity: Int, waits: PipelineWaits, edge: PipelineWaits.Edge) {
        self.capacity = Swift.max(1, capacity)
        state = Mutex(State())
        meter = (waits, edge)
    }

    /// Sends an element, waiting while the channel is full. Sending to a finished channel drops it.
    ///
    /// The element is moved through, never copied: a copy left in the sender while it waited made the receiver
    /// the array's second owner, so the receiver's first write to a batch copied every element of it (a retain
    /// of each field of each record; 1.7% of a run's samples).
    public func send(_ element: consuming Element) async {
        var pending: Element? = consume element
        let action: SendAction = state.withLock { s in
            if s.finished { return .done }
            if !s.receivers.isEmpty { return .resume(s.receivers.removeFirst()) }
            if s.count < capacity {
                s.buffer.append(pending.take())
                return .done
            }
            return .wait
        }
        switch action {
        case .done: return
        case .resume(let c): c.resume(returning: pending.take())
        case .wait:
            let since = meter == nil ? 0 : PipelineWaits.now()
            defer { meter.map { $0.waits.full($0.edge, PipelineWaits.now() - since) } }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let immediate: CheckedContinuation<Element?, Never>?? = state.withLock { s in
                    if s.finished { return .some(nil) }
                    if !s.receivers.isEmpty { return .some(s.receivers.removeFirst()) }
                    if s.count < capacity {
                        s.buffer.append(pending.take())
                        return .some(nil)
                    }
                    s.senders.append((c, pending.take()!))
                    return nil
                }
                if let immediate {
                    immediate?.resume(returning: pending.take())
                    c.resume()
                }
            }
        }
    }

    /// The next element, or nil once the channel is finished and drained.
    public func receive() async -> Element? {
        let action: ReceiveAction = state.withLock { s in
            if s.count > 0 { return .value(Self.pop(&s), Self.admitSender(&s)) }
            if !s.senders.isEmpty {
                let (c, e) = s.senders.removeFirst()
                return .value(e, c)
            }
            return s.finished ? .end : .wait
        }
        switch action {
        case .value(let e, let sender):
            sender?.resume()
            return e
        case .end: return nil
        case .wait:
            let since = meter == nil ? 0 : PipelineWaits.now()
            defer { meter.map { $0.waits.empty($0.edge, PipelineWaits.now() - since) } }
            return await withCheckedContinuation { (c: CheckedContinuation<Element?, Never>) in
                let immediate: (Element?, CheckedContinuation<Void, Never>?)? = state.withLock { s in
                    if s.count > 0 { return (Self.pop(&s), Self.admitSender(&s)) }
                    if !s.senders.isEmpty {
                        let (sc, e) = s.senders.removeFirst()
                        return (e, sc)
                    }
                    if s.finished { return (nil, nil) }
                    s.receivers.append(c)
                    return nil
                }
                if let (e, sender) = immediate {
                    sender?.resume()
                    c.resume(returning: e)
                }
            }
        }
    }

    /// True once `finish()` was called.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// True when `receive()` would return at once (an element is waiting, or the channel is finished).
    public var isReady: Bool { state.withLock { $0.count > 0 || !$0.senders.isEmpty || $0.finished } }

    /// True when `send` would not wait now (room, a waiting receiver, or finished); exact for a channel's
    /// only sender, since receivers only make room.
    var hasRoom: Bool { state.withLock { $0.count < capacity || !$0.receivers.isEmpty || $0.finished } }

    /// Ends the stream: receivers drain what is buffered, then get nil; waiting senders are released.
    public func finish() {
        let (receivers, senders) = state.withLock { s in
            s.finished = true
            let r = s.receivers
            let w = s.senders
            s.receivers = []
            s.senders = []
            // Elements of senders that were waiting are kept so nothing sent before finish is lost.
            for (_, e) in w { s.buffer.append(e) }
            return (r, w.map(\.0))
        }
        for r in receivers { r.resume(returning: nil) }
        for w in senders { w.resume() }
    }

    private static func pop(_ s: inout State) -> Element {
        let e = s.buffer[s.head]!
        s.buffer[s.head] = nil
        s.head += 1
        if s.head >= 16 && s.head * 2 >= s.buffer.count {
            s.buffer.removeFirst(s.head)
            s.head = 0
        }
        return e
    }

    private static func admitSender(_ s: inout State) -> CheckedContinuation<Void, Never>? {
        guard !s.senders.isEmpty else { return nil }
        let (c, e) = s.senders.removeFirst()
        s.buffer.append(e)
        return c
    }
}

extension BoundedChannel: AsyncSequence {
    /// Iterates until the channel is finished and drained.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel
        /// The next element.
        public mutating func next() async -> Element? { await channel.receive() }
    }

    /// An iterator over the channel.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
