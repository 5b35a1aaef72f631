import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One archive day's files checked against its manifest, the gzip file fed in as it is streamed: the manifest
/// valid and for that day, no stray file, the gzip file of the stated size, then the gzip stream, the file's
/// hash, the content's hash and size, the count and every line (`DayLineCheck`). `verify` checks each day with
/// it and `index` each day it indexes, so both refuse the same days for the same reasons.
struct DayFileCheck {
    typealias Failure = ArchiveVerifier.Failure

    let day: String
    let gzPath: String
    let manifestPath: String
    /// The day's manifest, as parsed.
    let manifest: ArchiveManifest
    private var lines: DayLineCheck
    private var contentHash = SHA256()
    private var contentBytes: Int64 = 0

    private init(day: String, gzPath: String, manifestPath: String, manifest: ArchiveManifest) {
        (self.day, self.gzPath, self.manifestPath, self.manifest) = (day, gzPath, manifestPath, manifest)
        lines = DayLineCheck(day: day)
    }

    /// Checks what holds before the gzip file is read: the manifest, the day's entries and the file's size.
    static func open(root: String, day: String) -> Result<DayFileCheck, Failure> {
        let dir = ArchiveLayout.dayDirectory(root, day: day)
        let gzPath = ArchiveLayout.archiveFile(root, day: day)
        let manifestPath = ArchiveLayout.manifestFile(root, day: day)
        let m: ArchiveManifest
        switch manifest(root: root, day: day) {
        case .success(let read): m = read.manifest
        case .failure(let f): return .failure(f)
        }
        let expectedNames = ["events-\(day).jsonl.gz", "manifest.json"]
        for name in ArchiveLayout.entries(dir) where !expectedNames.contains(name) {
            return .failure(Failure(path: dir + "/" + name, reason: "extra file in the archive day \(day)"))
        }
        var st = stat()
        guard stat(gzPath, &st) == 0 else {
            return .failure(Failure(path: gzPath, reason: "missing: the manifest lists it but the file is gone"))
        }
        let size = Int64(st.st_size)
        if size != m.compressedBytes {
            // The manifest states the file's size and its SHA-256: a file of the stated hash is the manifest's
            // file, so the size in the manifest is what was changed.
            if let (sha, _) = StagedFile.sha256(of: gzPath), sha == m.gzipSHA256 {
                return .failure(
                    Failure(
                        path: manifestPath,
                        reason:
                            "edited: compressed_bytes is \(m.compressedBytes) but events-\(day).jsonl.gz is \(size) bytes; the file's SHA-256 is the one the manifest states, so the manifest's size was edited, not the file"
                    ))
            }
            // Another compression of the same content (gzip -d and gzip again) is not a cut or a tail.
            if holdsContent(gzPath, of: m) {
                return .failure(
                    Failure(
                        path: gzPath,
                        reason:
                            "recompressed: the file holds the manifest's content but is not the gzip file it names (\(size) bytes, the manifest says \(m.compressedBytes)); put the archived file back"
                    ))
            }
            // The manifest's file with bytes added after it is the only file whose first bytes are it.
            if size > m.compressedBytes, let (sha, _) = StagedFile.sha256(of: gzPath, limit: m.compressedBytes),
                sha == m.gzipSHA256
            {
                return .failure(
                    Failure(
                        path: gzPath,
                        reason:
                            "extra bytes: \(size) bytes, the manifest says \(m.compressedBytes); the first \(m.compressedBytes) are the archived file, bytes were added after it"
                    ))
            }
            // A whole gzip file of events is another file put in its place: another day's (swapped days, or a
            // copy), or another archive's or copy's of this day; a cut or edited one does not inflate whole.
            if let other = firstEventDay(gzPath) {
                let dir = ArchiveLayout.dayDirectory(root, day: other)
                if other != day, firstEventDay(ArchiveLayout.archiveFile(root, day: other)) == day {
                    return .failure(
                        Failure(
                            path: gzPath,
                            reason:
                                "reordered: it holds the events of \(other), and \(other)'s file holds those of \(day): the two days' files were swapped; move each back (\(dir) and \(ArchiveLayout.dayDirectory(root, day: day)))"
                        ))
                }
                if other == day {
                    return .failure(
                        Failure(
                            path: gzPath,
                            reason:
                                "edited: a whole gzip file of \(day)'s events but not the archived one (\(size) bytes, the manifest says \(m.compressedBytes)): its events were changed and compressed again, or it comes from another archive; put the archived file back"
                        ))
                }
                return .failure(
                    Failure(
                        path: gzPath,
                        reason:
                            "replaced: it holds the events of \(other), not of \(day) (\(size) bytes, the manifest says \(m.compressedBytes)); put the archived file back"
                    ))
            }
            return .failure(
                Failure(
                    path: gzPath,
                    reason: size < m.compressedBytes
                        ? "truncated: \(size) bytes, the manifest says \(m.compressedBytes)"
                        : "edited: \(size) bytes, the manifest says \(m.compressedBytes), and the file is not the archived one with bytes added"
                ))
        }
        return .success(DayFileCheck(day: day, gzPath: gzPath, manifestPath: manifestPath, manifest: m))
    }

    /// The day of the `start` of the first event in the gzip file at `path`, when the file inflates whole and
    /// its first line has one.
    private static func firstEventDay(_ path: String) -> String? {
        var first: [UInt8] = []
        var done = false
        do throws(GzipFileStream.Failure) {
            _ = try GzipFileStream(path: path).read { event in
                guard !done, case .bytes(let b) = event else { return }
                if let newline = b.firstIndex(of: 10) {
                    first += b[..<newline]
                    done = true
                } else {
                    first += b
                    done = first.count > 1 << 20
                }
            }
        } catch {
            return nil
        }
        let key = Array(#""start":""#.utf8)
        guard first.count >= key.count + 10,
            let at = (0...(first.count - key.count - 10)).first(where: {
                first[$0..<($0 + key.count)].elementsEqual(key)
            })
        else { return nil }
        let day = String(decoding: first[(at + key.count)..<(at + key.count + 10)], as: UTF8.self)
        return ArchiveLayout.isDay(day) ? day : nil
    }

    /// True when the gzip file at `path` inflates, whole, to the manifest's content (its size and SHA-256).
    private static func holdsContent(_ path: String, of m: ArchiveManifest) -> Bool {
        var hash = SHA256()
        var count: Int64 = 0
        do throws(GzipFileStream.Failure) {
            _ = try GzipFileStream(path: path).read { event in
                guard case .bytes(let b) = event else { return }
                hash.update(bufferPointer: UnsafeRawBufferPointer(b))
                count += Int64(b.count)
            }
        } catch {
            return false
        }
        return count == m.uncompressedBytes && ArchiveManifest.hex(hash.finalize()) == m.contentSHA256
    }

    /// Reads `day`'s manifest: present, valid (`ArchiveManifest.decode`) and for that day; with the bytes it was
    /// decoded from, whose hash the next day's manifest links to.
    static func manifest(root: String, day: String) -> Result<(manifest: ArchiveManifest, bytes: [UInt8]), Failure> {
        let manifestPath = ArchiveLayout.manifestFile(root, day: day)
        guard let bytes = FileBytes.read(manifestPath) else {
            return .failure(Failure(path: manifestPath, reason: "missing: the day has no manifest"))
        }
        let m: ArchiveManifest
        do throws(ArchiveManifest.Invalid) {
            m = try ArchiveManifest.decode(bytes)
        } catch {
            return .failure(Failure(path: manifestPath, reason: "edited: not a valid manifest: \(error.reason)"))
        }
        if m.day != day {
            return .failure(
                Failure(path: manifestPath, reason: "reordered: the manifest is for \(m.day) but lies under \(day)"))
        }
        return .success((m, bytes))
    }

    /// Takes the next inflated bytes of the gzip file.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        contentHash.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        contentBytes += Int64(bytes.count)
        lines.append(bytes)
    }

    /// The failure of a gzip file that could not be streamed to its end.
    func failure(_ error: GzipFileStream.Failure) -> Failure {
        switch error {
        case .input(let e):
            // The file of the manifest's size that does not inflate: edited when its bytes are not the ones the
            // manifest's SHA-256 names (a byte changed), corrupt only when they are.
            if let (sha, _) = StagedFile.sha256(of: gzPath), sha != manifest.gzipSHA256 {
                Failure(
                    path: gzPath,
                    reason:
                        "edited: the SHA-256 of the gzip file does not match the manifest, and it does not inflate (corrupt gzip stream: \(e.message)); put the archived file back"
                )
            } else {
                Failure(path: gzPath, reason: "corrupt gzip stream: \(e.message)")
            }
        case .output(let e): Failure(path: gzPath, reason: "unreadable: \(e.message)")
        }
    }

    /// Ends the gzip file, streamed whole (`digest`: its size and hash); the first check that fails, in the order
    /// a whole read gives them: the file's hash, the content's hash and size, the count, the first line out of
    /// place, the first and last start.
    mutating func finish(_ digest: GzipFileStream.FileDigest) -> Failure? {
        lines.finish()
        let m = manifest
        if digest.sha256 != m.gzipSHA256 {
            return Failure(path: gzPath, reason: "edited: SHA-256 of the gzip file does not match the manifest")
        }
        if contentBytes != m.uncompressedBytes || ArchiveManifest.hex(contentHash.finalize()) != m.contentSHA256 {
            return Failure(path: gzPath, reason: "edited: the uncompressed content does not match the manifest")
        }
        // The file is the manifest's (both hashes hold): a count it disagrees with was edited in the manifest.
        if lines.count != m.events {
            return Failure(
                path: manifestPath,
                reason:
                    "edited: events is \(m.events) but events-\(day).jsonl.gz holds \(lines.count); the file's SHA-256 is the one the manifest states, so the manifest was edited, not the file"
            )
        }
        if let problem = lines.problem { return Failure(path: gzPath, reason: problem) }
        if lines.first != m.firstStart || lines.last?.0 != m.lastStart {
            return Failure(path: manifestPath, reason: "edited: first/last start do not match the archive")
        }
        return nil
    }
}
