#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One input to read: a file path or standard input.
public struct InputSpec: Sendable, Equatable {
    /// The path as given or expanded; `-` for standard input.
    public var path: String

    /// Creates an input.
    public init(path: String) { self.path = path }

    /// True for standard input.
    public var isStandardInput: Bool { path == "-" }

    /// Service name implied by the file name: `nova-api.log.1` → `nova-api`, `billing.jsonl.gz` → `billing`.
    public var fileService: String? {
        if isStandardInput { return nil }
        var name = Substring(path.split(separator: "/").last ?? Substring(path))
        let suffixes = [".gz", ".log", ".jsonl", ".ndjson", ".json", ".txt"]
        var changed = true
        while changed {
            changed = false
            if let dot = name.lastIndex(of: "."), name[name.index(after: dot)...].allSatisfy(\.isNumber),
                name.index(after: dot) < name.endIndex
            {
                name = name[..<dot]
                changed = true
            }
            for s in suffixes where name.hasSuffix(s) && name.count > s.count {
                name = name.dropLast(s.count)
                changed = true
            }
        }
        if let dot = ByteSearch.offset(of: ".log.", in: String(name)) { name = name.prefix(dot) }
        return name.isEmpty ? nil : String(name)
    }

    /// Expands arguments into inputs: `-`, files, directories (recursive, sorted) and glob patterns (sorted).
    /// Arguments that match nothing come back as errors; the others are still read. An empty directory or
    /// a named file that is empty is a warning. A file reached twice (named twice, or named and inside a named
    /// directory, or through a link) is read once, where it is first reached, with a warning: read twice, its
    /// records went into their groups twice. A file a directory or pattern reaches that the run writes
    /// (`outputs`) is left out with a warning (`leftOut`), and one that is an output under another name is
    /// named for the run to refuse (`outputsUnderAnotherName`).
    public static func expand(_ arguments: [String], excluding outputs: OutputPlaces = OutputPlaces()) -> InputExpansion
    {
        var inputs: [InputSpec] = []
        var errors: [InputError] = []
        var warnings: [String] = []
        var found = InputExpansion()
        func leaveOut(_ own: [String], warning: String) {
            warnings.append(warning)
            found.leftOut.append(warning)
            for path in own {
                if let output = outputs.otherName(of: path) { found.outputsUnderAnotherName.append((path, output)) }
            }
        }
        // Each file's device and inode, with the path it was first reached by.
        var reached: [String: String] = [:]
        func add(_ path: String) {
            var st = stat()
            if stat(path, &st) == 0 {
                let key = "\(st.st_dev):\(st.st_ino)"
                if let first = reached[key] {
                    warnings.append(
                        first == path
                            ? "\(path): named more than once; it is read once"
                            : "\(path): the same file as \(first), which is read; this name is not read again")
                    return
                }
                reached[key] = path
            }
            inputs.append(InputSpec(path: path))
        }
        for arg in arguments {
            if arg == "-" {
                // Standard input is the file (or pipe) on descriptor 0: a name for it given too (`/dev/stdin`,
                // the file redirected in) is not read again. Read twice, a pipe's bytes went to two readers.
                var st = stat()
                if fstat(0, &st) == 0 {
                    let key = "\(st.st_dev):\(st.st_ino)"
                    if let first = reached[key] {
                        warnings.append("-: standard input is \(first), which is read; it is not read again")
                        continue
                    }
                    reached[key] = "standard input (-)"
                }
                inputs.append(InputSpec(path: "-"))
                continue
            }
            var paths: [String] = []
            let isPattern = arg.contains(where: { "*?[".contains($0) })
            if isPattern {
                paths = glob(arg)
                if paths.isEmpty {
                    errors.append(InputError(source: arg, message: "no file matches this pattern"))
                    continue
                }
            } else {
                paths = [arg]
            }
            for p in paths {
                var st = stat()
                guard stat(p, &st) == 0 else {
                    errors.append(InputError(source: p, message: String(cString: strerror(errno))))
                    continue
                }
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    let before = errors.count
                    let files = walk(p, errors: &errors)
                    if files.isEmpty && errors.count == before {
                        warnings.append("\(p): the directory holds no files to read")
                    }
                    let own = files.filter(outputs.holds)
                    if let first = own.first {
                        leaveOut(
                            own,
                            warning: own.count == 1
                                ? "\(first): written by this run (an output or its checkpoint); it is not read"
                                : "\(p): \(own.count) files in it are written by this run (its outputs or checkpoint, such as \(first)); they are not read"
                        )
                    }
                    for f in files where own.isEmpty || !outputs.holds(f) { add(f) }
                } else {
                    if isPattern, outputs.holds(p) {
                        leaveOut(
                            [p], warning: "\(p): written by this run (an output or its checkpoint); it is not read")
                        continue
                    }
                    if (st.st_mode & S_IFMT) == S_IFREG && st.st_size == 0 {
                        warnings.append("\(p): the file is empty")
                    } else if (st.st_mode & S_IFMT) == S_IFREG && st.st_size <= 4096 && holdsNothingCompressed(p) {
                        warnings.append("\(p): the file is empty (compressed, it holds no bytes)")
                    }
                    add(p)
                }
            }
        }
        (found.inputs, found.errors, found.warnings) = (inputs, errors, warnings)
        return found
    }

    /// True for a small gzip file that inflates to nothing (`gzip < /dev/null`); false for any other, or one
    /// that fails to inflate (the run reports that).
    private static func holdsNothingCompressed(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
        close(fd)
        guard n >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return false }
        do throws(InputError) {
            var gzip = try GzipSource(upstream: MemorySource(Array(bytes[..<n])), name: path, prefix: [])
            var out: [UInt8] = []
            while try gzip.read(into: &out, max: 4096) > 0 { return false }
            return true
        } catch {
            return false
        }
    }

    private static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }

    /// Regular files under `dir` (and links to regular files), recursively, sorted by path; a directory or
    /// entry that cannot be read is an input error (never skipped in silence).
    private static func walk(_ dir: String, errors: inout [InputError]) -> [String] {
        guard let d = opendir(dir) else {
            errors.append(
                InputError(source: dir, message: "cannot read the directory: \(String(cString: strerror(errno)))"))
            return []
        }
        defer { closedir(d) }
        var files: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let full = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            var st = stat()
            guard lstat(full, &st) == 0 else {
                errors.append(InputError(source: full, message: String(cString: strerror(errno))))
                continue
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: files.append(contentsOf: walk(full, errors: &errors))
            case S_IFREG: files.append(full)
            case S_IFLNK:
                // A link to a regular file is read (Kubernetes' `/var/log/containers` is made of them); a link to
                // a directory is not walked (no loops), and a dangling one is passed over as before.
                var target = stat()
                if stat(full, &target) == 0, (target.st_mode & S_IFMT) == S_IFREG { files.append(full) }
            default: continue
            }
        }
        return files.sorted()
    }
}
