internal import Foundation
internal import JSONBytes

/// The platforms declared in `connectors/*.json`, loaded once per process from
/// `SIEM_CONNECTORS_DIR` (default: the installation's or the source tree's `connectors/`)
/// and registered in `PlatformCatalog.all` beside the built-in ones.
public enum ConnectorCatalog {
    public static let environmentVariable = "SIEM_CONNECTORS_DIR"

    /// A declaration that cannot be used: its file and the JSON path of the bad field.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var problem: DeclarationProblem
        public var description: String { "\(file): \(problem)" }
    }

    /// The declarations of this process, or the first one that failed.
    public static let loaded: Result<[ConnectorDeclaration], LoadError> = {
        guard let directory = directory(environment: ProcessInfo.processInfo.environment) else { return .success([]) }
        return load(directory: directory)
    }()

    static let definitions: [PlatformDefinition] = ((try? loaded.get()) ?? []).map(ConnectorDefinition.platform)

    /// The directory to read: `SIEM_CONNECTORS_DIR`, else `share/siem-collector/connectors` next to
    /// the installed executable, else the `connectors/` of the source tree the executable was built in.
    static func directory(environment: [String: String]) -> String? {
        if let set = environment[environmentVariable], !set.isEmpty { return set }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        let manager = FileManager.default
        let installed = folder.deletingLastPathComponent().appendingPathComponent("share/siem-collector/connectors")
        if manager.fileExists(atPath: installed.path) { return installed.path }
        for _ in 0..<6 {
            if manager.fileExists(atPath: folder.appendingPathComponent("Package.swift").path),
               manager.fileExists(atPath: folder.appendingPathComponent("connectors").path) {
                return folder.appendingPathComponent("connectors").path
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    /// Every `*.json` of `directory`, in name order; the first bad one fails the lot.
    public static func load(directory: String) -> Result<[ConnectorDeclaration], LoadError> {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            return .failure(LoadError(file: directory, problem: DeclarationProblem(path: "$", message: "cannot read the directory (\(environmentVariable))")))
        }
        var found: [ConnectorDeclaration] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            do throws(LoadError) {
                let declaration = try loadFile(path, reservedPlatforms: Set(PlatformCatalog.builtIn.map(\.platform.rawValue) + ["Fictitious"]))
                if found.contains(where: { $0.platform == declaration.platform }) {
                    throw LoadError(file: path, problem: DeclarationProblem(path: "$.platform", message: "\(declaration.platform) is declared by another file too"))
                }
                found.append(declaration)
            } catch {
                return .failure(error)
            }
        }
        return .success(found)
    }

    public static func loadFile(_ path: String, reservedPlatforms: Set<String> = [],
                                reservedSettings: Set<String> = []) throws(LoadError) -> ConnectorDeclaration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(file: path, problem: DeclarationProblem(path: "$", message: "cannot be read"))
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(Array(data))
        } catch {
            throw LoadError(file: path, problem: DeclarationProblem(path: "$", message: "is not valid JSON (\(error))"))
        }
        do {
            var declaration = try ConnectorDeclaration.parse(json, reservedPlatforms: reservedPlatforms, reservedSettings: reservedSettings)
            declaration.file = path
            return declaration
        } catch {
            throw LoadError(file: path, problem: error)
        }
    }

    /// What stops an executable at start: a declaration that failed, or one whose setting
    /// names another platform's setting. Nil when every declaration is usable.
    public static func startupProblem() -> LoadError? {
        switch loaded {
        case .failure(let error):
            return error
        case .success(let declarations):
            for declaration in declarations {
                for (position, setting) in declaration.settings.enumerated()
                where SettingsSchema.specs.filter({ $0.name == setting.name }).count > 1 {
                    return LoadError(file: declaration.file ?? declaration.platform, problem: DeclarationProblem(
                        path: "$.settings[\(position)].name",
                        message: "\(setting.name) is already a setting of another platform; use a name of this platform's own"))
                }
            }
            return nil
        }
    }

    /// For the executables: one line on stderr and exit status 2 when a declaration is unusable.
    public static func requireValid(program: String) {
        guard let problem = startupProblem() else { return }
        FileHandle.standardError.write(Data("\(program): connector declaration \(problem)\n".utf8))
        exit(2)
    }
}
