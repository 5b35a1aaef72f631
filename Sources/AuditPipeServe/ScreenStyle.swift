/// stub
enum ScreenStyle {
    /// stub
    static let source = ""
}
