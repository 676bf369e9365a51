import Foundation
import Testing
import Vesper

/// Periodic jobs read from `CRON_JOBS`.
@Suite struct CronConfigurationTests {
    @Test func periodicJobListFromConfiguration() async throws {
        let configuration = try await VesperConfiguration.fromEnvironment(
            [
                "CRON_JOBS": #"[{"name":"cleanup","schedule":"*/5 * * * *","type":"cleanup","payload":{"days":7},"timezone":"Europe/Berlin","priority":3}]"#,
                "CRON_CATCH_UP": "0",
            ], dotEnvPath: nil)
        let job = try #require(configuration.periodicJobs.first)
        #expect(job.name == "cleanup")
        #expect(job.payloadJSON == #"{"days":7}"#)
        #expect(job.timeZone.identifier == "Europe/Berlin")
        #expect(job.priority == 3)
        #expect(configuration.cronCatchUp == .zero)
        #expect(job.region == nil)
        let routed = try await VesperConfiguration.fromEnvironment(
            ["CRON_JOBS": #"[{"schedule":"0 * * * *","type":"export","region":"eu","region_strict":true}]"#], dotEnvPath: nil)
        #expect(routed.periodicJobs.first?.region == "eu")
        #expect(routed.periodicJobs.first?.regionStrict == true)
        for (value, message) in [
            ("nope", #"expected a JSON array like [{"schedule":"*/5 * * * *","type":"cleanup"}]"#),
            (#"[{"schedule":"61 * * * *","type":"x"}]"#, #"entry 0: schedule "61 * * * *": minute field: 61 is out of range 0-59"#),
            (#"[{"schedule":"* * * * *"}]"#, #"entry 0: "type" (a string) is required"#),
            (#"[{"schedule":"* * * * *","type":"x","timezone":"Mars/Base"}]"#, #"entry 0: timezone "Mars/Base" is not a time zone name like Europe/Berlin or UTC"#),
            (#"[{"schedule":"* * * * *","type":"x","every":"day"}]"#, #"entry 0: unknown field "every""#),
            (#"[{"schedule":"* * * * *","type":"x","region":"eu west"}]"#, "entry 0: region may only contain letters, digits and _ . : -"),
            (#"[{"schedule":"* * * * *","type":"x","region_strict":true}]"#,
             "entry 0: region_strict needs a region: name the region the job must run in"),
            (#"[{"schedule":"* * * * *","type":"x"},{"schedule":"0 * * * *","type":"x"}]"#,
             #"entry 1: a schedule named "x" is already defined; give each a unique "name""#),
        ] {
            await #expect(throws: ConfigurationError(variable: "CRON_JOBS", message: message)) {
                try await VesperConfiguration.fromEnvironment(["CRON_JOBS": value], dotEnvPath: nil)
            }
        }
    }
}
