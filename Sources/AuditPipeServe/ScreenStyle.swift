/// The screen's style sheet (served at `/app.css`).
enum ScreenStyle {
    /// The CSS.
    static let source = #"""
        * { box-sizing: border-box; }
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f5f6f8; }
        header { display: flex; align-items: center; gap: 24px; padding: 10px 16px; background: #1d2f4f; color: #fff; }
        header h1 { font-size: 18px; margin: 0; }
        header nav a { color: #cfe0ff; margin-right: 14px; text-decoration: none; padding: 4px 6px; border-radius: 4px; }
        header nav a.active { background: #36507e; color: #fff; }
        #me { margin-left: auto; font-size: 13px; opacity: .85; }
        form#filters { display: flex; flex-wrap: wrap; gap: 8px 14px; padding: 10px 16px; background: #fff; border-bottom: 1px solid #dde1e7; }
        form#filters label { display: flex; flex-direction: column; font-size: 12px; color: #556; }
        form#filters label.wide { flex: 1 1 420px; }
        form#filters input, form#filters select { font: inherit; padding: 3px 5px; border: 1px solid #c4cad3; border-radius: 4px; min-width: 110px; }
        .buttons { display: flex; align-items: flex-end; gap: 6px; }
        button, a.button { font: inherit; padding: 4px 10px; border: 1px solid #8a99b3; background: #eef2f8; border-radius: 4px; color: #1d2f4f; cursor: pointer; text-decoration: none; }
        button:disabled { opacity: .4; cursor: default; }
        .composed { margin: 6px 16px; font-size: 12px; color: #556; }
        #error { margin: 6px 16px; padding: 8px; background: #fdecea; color: #8a1c12; border: 1px solid #f3b7b0; white-space: pre-wrap; }
        main { display: flex; gap: 12px; padding: 0 16px 16px; align-items: flex-start; }
        section { flex: 1 1 auto; min-width: 0; }
        .bar { display: flex; align-items: center; gap: 8px; margin: 8px 0; }
        .spacer { flex: 1; }
        table { width: 100%; border-collapse: collapse; background: #fff; font-size: 13px; }
        th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e6e9ee; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 260px; }
        th { background: #eef1f5; }
        #list-view, #activity-view { overflow-x: auto; }
        #events tbody tr { cursor: pointer; }
        #events tbody tr:hover { background: #f0f5ff; }
        #events tbody tr.selected { background: #dce8ff; }
        .failure { color: #a5520a; } .error { color: #b3261e; font-weight: 600; } .success { color: #1e6b34; }
        aside#details { flex: 0 0 44%; max-width: 44%; background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 8px 12px; }
        aside h2 { font-size: 15px; margin: 0; }
        aside h3 { font-size: 13px; margin: 12px 0 4px; }
        aside .links { display: flex; gap: 8px; align-items: center; }
        aside .links a { color: #1a4fb0; }
        dl#d-summary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; font-size: 13px; }
        dl#d-summary dt { color: #667; }
        dl#d-summary dd { margin: 0; word-break: break-all; }
        pre#d-json { background: #f7f8fa; border: 1px solid #e3e6eb; padding: 8px; font-size: 12px; max-height: 60vh; overflow: auto; white-space: pre-wrap; word-break: break-all; }
        """#
}
