/// stub
enum ScreenScript {
    /// stub
    static let source = ""
}
