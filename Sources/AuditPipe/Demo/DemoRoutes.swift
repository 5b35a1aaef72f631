/// The API calls the demo simulates: method, route template, concrete path, which services take part, and a
/// payload.
struct DemoRoute: Sendable {
    var method: String
    /// The route the gateway matched, placeholders written `{name}` (each logger rewrites them its own way).
    var template: String
    var path: @Sendable (inout SplitMix64) -> String
    var query: @Sendable (inout SplitMix64) -> String?
    var body: @Sendable (inout SplitMix64) -> String?
    var services: [String]
    var okStatus: Int

    static let all: [DemoRoute] = [
        DemoRoute(
            method: "GET", template: "/api/v1/reports/{name}/export",
            path: { "/api/v1/reports/\($0.pick(["sales", "inventory", "payroll", "churn"]))/export" },
            query: { "format=\($0.pick(["csv", "xlsx", "pdf"]))&region=\($0.pick(["emea", "apac", "amer"]))" },
            body: { _ in nil }, services: ["auth", "reports", "storage", "pdf-renderer"], okStatus: 200),
        DemoRoute(
            method: "GET", template: "/api/v1/documents/{id}",
            path: { "/api/v1/documents/PO-\(10000 + $0.below(90000))" }, query: { _ in nil },
            body: { _ in nil }, services: ["auth", "orders", "search"], okStatus: 200),
        DemoRoute(
            method: "POST", template: "/api/v1/orders",
            path: { _ in "/api/v1/orders" }, query: { _ in nil },
            body: {
                "{\"customer\":\"C-\($0.below(5000))\",\"amount\":\($0.below(100000)).\($0.below(90) + 10),\"currency\":\"EUR\",\"card_token\":\"tok_\($0.hex(24))\"}"
            }, services: ["auth", "orders", "billing", "inventory", "notifications"], okStatus: 201),
        DemoRoute(
            method: "PUT", template: "/api/v1/users/{id}",
            path: { "/api/v1/users/u-\(1000 + $0.below(900))" }, query: { _ in nil },
            body: {
                "{\"email\":\"user\($0.below(900))@example.com\",\"password\":\"\($0.hex(12))\",\"role\":\"editor\"}"
            },
            services: ["auth", "users", "notifications"], okStatus: 200),
        DemoRoute(
            method: "DELETE",
            template: "/api/v1/files/{id}",
            path: { "/api/v1/files/\($0.hex(8))-\($0.hex(4))-\($0.hex(4))-\($0.hex(4))-\($0.hex(12))" },
            query: { _ in nil }, body: { _ in nil }, services: ["auth", "storage", "search"], okStatus: 204),
        DemoRoute(
            method: "POST", template: "/api/v1/pipelines/{id}/run",
            path: { "/api/v1/pipelines/pl-\($0.below(300))/run" }, query: { _ in "branch=main" },
            body: {
                "{\"trigger\":\"\($0.pick(["manual", "webhook", "cron"]))\",\"variables\":{\"DEPLOY_ENV\":\"staging\",\"api_key\":\"ak_\($0.hex(16))\"}}"
            },
            services: ["auth", "pipelines", "billing", "notifications"], okStatus: 202),
        DemoRoute(
            method: "GET", template: "/api/v1/invoices/{id}/print",
            path: { "/api/v1/invoices/INV-\(2026_00000 + $0.below(99999))/print" }, query: { _ in nil },
            body: { _ in nil }, services: ["auth", "billing", "pdf-renderer"], okStatus: 200),
        DemoRoute(
            method: "GET", template: "/api/v1/files/{id}/download",
            path: { "/api/v1/files/\($0.hex(12))/download" }, query: { _ in nil }, body: { _ in nil },
            services: ["auth", "storage"], okStatus: 200),
        DemoRoute(
            method: "POST", template: "/api/v1/auth/login",
            path: { _ in "/api/v1/auth/login" }, query: { _ in nil },
            body: { "{\"username\":\"user\($0.below(900))\",\"password\":\"\($0.hex(10))\"}" },
            services: ["auth", "users"],
            okStatus: 200),
        DemoRoute(
            method: "GET", template: "/api/v1/orders",
            path: { _ in "/api/v1/orders" }, query: { "page=\($0.below(20) + 1)&status=open" },
            body: { _ in nil }, services: ["auth", "orders", "search"], okStatus: 200),
    ]
}
