@testable import Postgres
import Testing

/// Which session settings travel with the next statement: the tenant switch must never be
/// skipped while the session might hold another value.
@Suite struct SessionSettingsTests {
    private typealias Setting = SessionSettings.Setting
    private let tenantA = Setting(name: "app.tenant_id", value: "a")
    private let tenantB = Setting(name: "app.tenant_id", value: "b")

    /// A session that holds tenant A.
    private func holdingA() -> SessionSettings {
        var settings = SessionSettings()
        settings.want("app.tenant_id", "a")
        settings.confirm([tenantA])
        return settings
    }

    @Test func aWantedSettingIsPendingUntilConfirmed() {
        var settings = SessionSettings()
        settings.want("app.tenant_id", "a")
        #expect(settings.pending == [tenantA])
        settings.confirm([tenantA])
        #expect(settings.pending.isEmpty)
        #expect(settings.wants("app.tenant_id", "a"))
    }

    @Test func switchingTenantsReplacesTheValueInPlace() {
        var settings = SessionSettings()
        settings.want("app.other", "x")
        settings.want("app.tenant_id", "a")
        settings.confirm(settings.pending)
        settings.want("app.tenant_id", "b")
        #expect(settings.wanted == [Setting(name: "app.other", value: "x"), tenantB])
        #expect(settings.pending == [tenantB])
        #expect(!settings.wants("app.tenant_id", "a"))
    }

    /// A failed statement rolls its pipeline's set_config back: the session holds A again,
    /// and B must be sent with the next statement, not assumed.
    @Test func aDoubtedSettingIsSentAgain() {
        var settings = holdingA()
        settings.want("app.tenant_id", "b")
        settings.doubt([tenantB])
        #expect(settings.pending == [tenantB])
        // Even switching back to A sends it: after the doubt the session's value is unknown.
        settings.want("app.tenant_id", "a")
        #expect(settings.pending == [tenantA])
    }

    /// Back to A after B was confirmed: A is pending again, though it was confirmed once.
    @Test func switchingBackSendsTheOldValueAgain() {
        var settings = holdingA()
        settings.want("app.tenant_id", "b")
        settings.confirm([tenantB])
        settings.want("app.tenant_id", "a")
        #expect(settings.pending == [tenantA])
    }

    @Test func aNewSessionNeedsEverySettingInOrder() {
        var settings = SessionSettings()
        settings.want("app.tenant_id", "a")
        settings.want("app.other", "x")
        settings.confirm(settings.pending)
        settings.sessionStarted()
        #expect(settings.pending == [tenantA, Setting(name: "app.other", value: "x")])
    }
}
