// Copy buttons of the "Cite this chapter" block: copy the text of the <pre> they name.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.reviewkit-cite-copy");
  if (!button) return;
  const text = document.getElementById(button.dataset.copyTarget).textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    // Without the clipboard API (plain http, old browsers): select the text for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(button.dataset.copyTarget));
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    button.textContent = "Selected: press Ctrl+C";
    return;
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
});
