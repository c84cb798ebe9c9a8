/// `Platform` and `SettingsSchema` moved to the `Catalog` module (one catalog per platform,
/// issue #12); re-exported so every module that imports SourceModel keeps seeing them.
@_exported public import Catalog
