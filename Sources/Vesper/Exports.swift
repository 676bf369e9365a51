@_exported import VesperCore
// The adapters' settings that `VesperConfiguration` composes, so `import Vesper` is enough to
// configure a node in code.
@_exported import struct VesperHTTP.APIToken
@_exported import enum VesperHTTP.APIRole
@_exported import struct VesperHTTP.HTTPSettings
@_exported import struct VesperHTTP.ListenAddress
#if PostgreSQL
@_exported import struct VesperPostgres.PostgresSettings
@_exported import struct VesperPostgres.PostgresEndpoint
#endif
