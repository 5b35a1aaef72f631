import ArgumentParser
import AuditPipeServe

/// `--output-format` of `query`: the formats of the one export loop.
extension EventExport.Format: ExpressibleByArgument {}
