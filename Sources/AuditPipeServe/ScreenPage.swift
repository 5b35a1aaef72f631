/// stub
enum ScreenPage {
    /// stub
    static let html = ""
}
