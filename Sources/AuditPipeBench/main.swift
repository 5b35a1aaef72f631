import AuditPipe
