import Foundation
import Testing

/// The page in a real headless Chromium (Selenium, `Tests/Browser/screen_test.py`) against `auditpipe serve`:
/// sign in, filter, page, details, whole request, Show Document, export CSV equal to `auditpipe query`'s.
/// Runs where chromium, chromedriver and the selenium module are installed (`.ci/run` installs them).
@Suite(.serialized, .enabled(if: BrowserSupport.available, "needs chromium, chromedriver and python3 -m selenium"))
struct BrowserTests {
    @Test func thePageFiltersPagesShowsDetailsAndExports() throws {
        let f = try ScreenFixture.get()
        let dir = f.directory
        let live = "screen-live-browser"
        let stderrURL = dir.appendingPathComponent("serve-browser.stderr")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let serve = Process()
        serve.executableURL = ServeBinary.url
        serve.arguments = [
            "serve", f.archive, "--listen", "127.0.0.1:0", "--users", f.usersFile, "--audit-log", live,
        ]
        serve.currentDirectoryURL = dir
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = try FileHandle(forWritingTo: stderrURL)
        try serve.run()
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            let text = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            if let r = text.range(of: "on http://127.0.0.1:") {
                port = String(text[r.upperBound...].prefix { $0.isNumber })
            } else {
                usleep(100_000)
            }
        }
        #expect(!port.isEmpty, "serve did not say where it listens")

        let expression = #"action == "export""#
        let expected = dir.appendingPathComponent("browser-expected.csv")
        try f.query(["--all", "--output-format", "csv", expression]).write(to: expected)
        let downloads = dir.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        let shots = ProcessInfo.processInfo.environment["AUDITPIPE_SCREENSHOTS"] ?? ""

        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        script.arguments = [
            "python3", ServeBinary.packageRoot.appendingPathComponent("Tests/Browser/screen_test.py").path,
            "--url", "http://127.0.0.1:\(port)", "--user", ScreenFixture.auditor.0, "--password",
            ScreenFixture.auditor.1, "--filter-user", "carol", "--export-expr", expression, "--expected-csv",
            expected.path, "--downloads", downloads.path, "--screenshots", shots,
        ]
        let out = dir.appendingPathComponent("browser.out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        script.standardOutput = try FileHandle(forWritingTo: out)
        script.standardError = try FileHandle(forWritingTo: out)
        try script.run()
        script.waitUntilExit()
        let output = try String(contentsOf: out, encoding: .utf8)
        #expect(script.terminationStatus == 0, "\(output)")
        #expect(output.hasSuffix("ok\n"), "\(output)")

        // The page's export and details view were logged, as from the page.
        let logDir = dir.appendingPathComponent(live)
        var logged: [[String: Any]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: logDir.path) {
            for line in try Data(contentsOf: logDir.appendingPathComponent(name)).split(separator: 10) {
                logged.append(try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any])
            }
        }
        let fromPage = logged.filter { ($0["actor"] as? [String: Any])?["origin"] as? String == "ui" }
        #expect(fromPage.contains { $0["action"] as? String == "export" })
        #expect(fromPage.contains { $0["action"] as? String == "view" })
    }
}

/// Whether this machine can run the browser test.
enum BrowserSupport {
    static var available: Bool {
        let fm = FileManager.default
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains { fm.isExecutableFile(atPath: $0) }
        guard chromium, fm.isExecutableFile(atPath: "/usr/bin/chromedriver") else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import selenium"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
