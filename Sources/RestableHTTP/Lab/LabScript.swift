/// The REST Lab's script, plain JavaScript without a framework, served as `/lab/lab.js` (the
/// page has no inline script: its Content-Security-Policy forbids it).
///
/// It is written in parts, one job each (the `LabScript+*.swift` files), put together inside
/// one function so that nothing leaks into the page's global scope. Every value it shows goes
/// in as text (`textContent`), never as markup, and every request goes to this server only.
enum LabScript {
    static let javascript = "\"use strict\";\n(() => {\n" + [core, signIn, browse, composer, tree, journal, start].joined(separator: "\n") + "})();\n"
}
