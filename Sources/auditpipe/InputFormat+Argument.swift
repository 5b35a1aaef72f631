import ArgumentParser
import AuditPipe

/// `--format`: the line format, its values listed in `--help` from the library's one list.
extension InputFormat: ExpressibleByArgument {}
