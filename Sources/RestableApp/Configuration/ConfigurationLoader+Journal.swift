import RestableCore
import Yams

/// The journal's settings: `journal` and `retention` at the top, and each resource's own.
extension ConfigurationLoader {
    /// `journal: true|false` (default true) and `retention: 30d` (default 30 days).
    func journalSettings(journal: Node?, retention: Node?) throws(ConfigurationError) -> JournalSettings? {
        var settings = JournalSettings()
        if let retention { settings.retention = try period(retention, "retention") }
        guard let journal else { return settings }
        guard try boolean(journal, "journal") else {
            if let retention { throw error(retention, "'retention' is for the journal, which 'journal: false' turns off") }
            return nil
        }
        return settings
    }

    /// A resource's `journal: false` and `retention: 7d`, added to `settings`.
    func journalParts(of resource: String, _ node: Node, into settings: inout JournalSettings?) throws(ConfigurationError) {
        for (key, _, value) in try members(node, "resource '\(resource)'") where key == "journal" || key == "retention" {
            guard settings != nil else {
                throw error(value, "'\(key)' of '\(resource)' is for the journal, which 'journal: false' at the top turns off")
            }
            if key == "journal" {
                if !(try boolean(value, "journal")) { settings?.unjournaled.insert(resource) }
            } else {
                settings?.retentionByResource[resource] = try period(value, "retention")
            }
        }
        if settings?.unjournaled.contains(resource) == true, settings?.retentionByResource[resource] != nil {
            throw error(node, "'\(resource)' says 'journal: false', so a 'retention' for its journal means nothing")
        }
    }

    /// A period such as `30d` (see ``RetentionPeriod``).
    func period(_ node: Node, _ key: String) throws(ConfigurationError) -> RetentionPeriod {
        guard let text = node.scalar?.string, let period = RetentionPeriod(parsing: text) else {
            throw error(node, "\(key) must be \(RetentionPeriod.expected), not '\(node.scalar?.string ?? "a list or mapping")'")
        }
        return period
    }

    /// `true` or `false`, nothing else (not yes, no, on, off or 1).
    func boolean(_ node: Node, _ key: String) throws(ConfigurationError) -> Bool {
        switch node.scalar?.string {
        case "true": return true
        case "false": return false
        default: throw error(node, "\(key) must be true or false")
        }
    }
}

extension RetentionPeriod {
    var duration: Duration { .milliseconds(milliseconds) }
}
