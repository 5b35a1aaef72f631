extension Array where Element == JSONMember {
    /// Makes each key appear once: a key given again gives its last value to the place of its first, as jq,
    /// Python and JavaScript read such an object. Written as read, both copies reached the output, where a
    /// filter or a CSV column took the first and a JSON reader the last.
    mutating func keepLastOfEachKey() {
        guard count > 1 else { return }
        if count <= 16 {
            // Small objects, nearly all of them: pairs compared, nothing allocated when no key repeats.
            var repeats = false
            for i in 1..<count where !repeats {
                for j in 0..<i where self[j].key == self[i].key {
                    repeats = true
                    break
                }
            }
            guard repeats else { return }
        }
        var place: [String: Int] = [:]
        place.reserveCapacity(count)
        var out: [JSONMember] = []
        out.reserveCapacity(count)
        for m in self {
            if let i = place[m.key] {
                out[i].value = m.value
            } else {
                place[m.key] = out.count
                out.append(m)
            }
        }
        if out.count != count { self = out }
    }
}
