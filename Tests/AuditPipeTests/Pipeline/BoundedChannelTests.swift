import Testing

@testable import AuditPipe

/// A channel moves what it carries: the receiver gets the only reference, whether the element waited in the
/// buffer or with a sender that found the channel full. A stage writes to the batches it receives (the merge
/// stamps records, the joiner takes parsed lines out, the enrich stage takes strings out of groups), and a
/// second owner made each such first write copy the whole batch.
struct BoundedChannelTests {
    final class Probe: Sendable {
        let n: Int
        init(_ n: Int) { self.n = n }
    }

    /// Delivery in order through both paths (buffered, held by a waiting sender), each element unshared. (On the
    /// old `send` this one passed: the sender's copy was mostly gone before the receiver looked; the test below
    /// is the one that catches a copy left behind.)
    @Test func aReceivedElementHasNoOtherOwnerWhetherBufferedOrHeldByAWaitingSender() async {
        let channel = BoundedChannel<Probe>(capacity: 1)
        await channel.send(Probe(0))  // buffered
        let sender = Task {
            // The channel is full: this send waits, holding its element, until the first one is taken.
            await channel.send(Probe(1))
            await channel.send(Probe(2))
            channel.finish()
        }
        var seen: [Int] = []
        var sole: [Bool] = []
        while var probe = await channel.receive() {
            sole.append(isKnownUniquelyReferenced(&probe))
            seen.append(probe.n)
        }
        await sender.value
        #expect(seen == [0, 1, 2])
        #expect(sole == [true, true, true])
    }

    /// Many elements through a channel of one slot, the sender usually waiting: no element may arrive shared.
    /// (Whether a copy left in a sender is still alive when the receiver looks depends on timing, so one
    /// element would prove little; thousands make a shared one all but certain to be seen.)
    @Test func thousandsOfElementsArriveUnsharedThroughAFullChannel() async {
        let channel = BoundedChannel<Probe>(capacity: 1)
        let count = 5_000
        let sender = Task {
            for n in 0..<count { await channel.send(Probe(n)) }
            channel.finish()
        }
        var shared = 0
        var next = 0
        var inOrder = true
        while var probe = await channel.receive() {
            if !isKnownUniquelyReferenced(&probe) { shared += 1 }
            if probe.n != next { inOrder = false }
            next += 1
        }
        await sender.value
        #expect(next == count && inOrder)
        #expect(shared == 0)
    }

    /// Delivery to a receiver already waiting (the `resume` path of `send`), unshared.
    @Test func aReceiverWaitingForAnElementGetsTheOnlyReference() async {
        let channel = BoundedChannel<Probe>(capacity: 1)
        let receiver = Task { () -> (Int, Bool)? in
            guard var probe = await channel.receive() else { return nil }
            return (probe.n, isKnownUniquelyReferenced(&probe))
        }
        // Give the receiver time to wait (the test holds either way; this makes the waiting path the likely one).
        try? await Task.sleep(for: .milliseconds(50))
        await channel.send(Probe(7))
        let got = await receiver.value
        #expect(got?.0 == 7 && got?.1 == true)
        channel.finish()
    }
}
