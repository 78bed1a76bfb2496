// A column header that sorts the table; clicking the active column flips the direction.
export interface SortState {
  column: string;
  descending: boolean;
}

export function SortHeader(props: {
  column: string;
  label: string;
  sort: SortState;
  onSort: (next: SortState) => void;
  defaultDescending?: boolean;
}) {
  const { column, label, sort, onSort } = props;
  const active = sort.column === column;
  const ariaSort = active ? (sort.descending ? "descending" : "ascending") : "none";
  const next = () =>
    onSort(active ? { column, descending: !sort.descending } : { column, descending: props.defaultDescending ?? false });
  return (
    <div role="columnheader" aria-sort={ariaSort} className="th">
      <button type="button" className="sort-button" onClick={next} data-sort={column}>
        {label}
        <span aria-hidden="true" className="sort-arrow">
          {active ? (sort.descending ? "▼" : "▲") : "↕"}
        </span>
      </button>
    </div>
  );
}
