@_exported import VesperCore
