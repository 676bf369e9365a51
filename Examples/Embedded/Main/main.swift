import Hummingbird
import Logging
import ServiceLifecycle
import Vesper
import VesperEmbeddedExampleApp

let logger = Logger(label: "shop")
var configuration = try await VesperConfiguration.fromEnvironment()
let role = configuration.role            // ROLE=api|worker|all splits the shop like the stock binary
configuration.role = .worker             // the shop's server serves Vesper's API (mounted below)
let vesper = try await Vesper(configuration: configuration, logger: logger)
registerJobs(on: vesper, mailer: LogMailer(logger: logger))

let router = buildRouter(queue: vesper.queue)   // POST /signup enqueues SendWelcomeEmail
vesper.addRoutes(to: router, atPath: "/vesper") // POST /vesper/jobs, GET /vesper/jobs/{id}, ...
let address = configuration.apiAddress  // API_ADDR: where the shop listens
let app = Application(router: router, configuration: .init(address: .hostname(address.host, port: address.port)), logger: logger)

var services: [any Service] = []
if role.servesAPI { services.append(app) }
if role.runsWorkers { services.append(vesper) }  // a Service: stops gracefully with the group
try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
if !role.runsWorkers { try await vesper.close() }
