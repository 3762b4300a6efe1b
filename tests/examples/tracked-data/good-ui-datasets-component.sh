# A monitoring tool's web UI (evidently's ui/): React components in a folder named `Datasets/`
# are code, not a dataset.
. "$EXAMPLES/lib.sh"
init
mkdir -p ui/src/components/Datasets/Table ui/src/components/Datasets/Metadata
printf 'export const DatasetsTable = () => null\n' > ui/src/components/Datasets/Table/DatasetsTable.tsx
printf 'export const MetadataEditor = () => null\n' > ui/src/components/Datasets/Metadata/MetadataEditor.tsx
printf '.table { width: 100%%; }\n' > ui/src/components/Datasets/Table/table.css
printf 'export * from "./Table/DatasetsTable"\n' > ui/src/components/Datasets/index.ts
commit "ui"
