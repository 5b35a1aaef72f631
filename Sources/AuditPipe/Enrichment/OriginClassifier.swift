/// Tells where a request came from by its user agent and user: a browser (`ui`), a command-line tool
/// (`cli`), a webhook sender (`webhook`), an SDK or service client (`api`), or the system itself.
public enum OriginClassifier {
    static let webhooks = [
        "github-hookshot", "bitbucket-webhooks", "gitlab", "stripe", "slack", "twilio", "webhook", "hookdeck",
        "svix",
    ]
    static let clis = [
        "curl/", "wget/", "httpie/", "kubectl/", "aws-cli/", "gcloud", "az-cli", "codefresh-cli", "cf-cli",
        "helm/", "terraform/", "powershell", "insomnia", "postman",
    ]
    static let browsers = ["mozilla/", "chrome/", "safari/", "firefox/", "edg/", "opera"]

    /// The origin, or nil when nothing tells.
    public static func classify(userAgent: String?, user: String?) -> String? {
        if let ua = userAgent?.lowercased(), !ua.isEmpty {
            if webhooks.contains(where: { ByteSearch.contains(ua, $0) }) { return "webhook" }
            if clis.contains(where: { ByteSearch.contains(ua, $0) }) || ua.hasSuffix("-cli") { return "cli" }
            if browsers.contains(where: { ByteSearch.contains(ua, $0) }) { return "ui" }
            return "api"
        }
        if let u = user?.lowercased(), u.hasPrefix("system:") || u.hasPrefix("svc-") || u == "cron" || u == "system" {
            return "system"
        }
        return nil
    }
}
