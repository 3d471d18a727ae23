// Narrow screens show each table row as a card: label every cell with its column's header.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.reviewkit-table")) {
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, index) => {
        if (headers[index]) cell.dataset.label = headers[index];
      });
    }
  }
});
