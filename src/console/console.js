// dombridge console: conveniences only; every page and action works without this file.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  // "Select all" on the dead letters page.
  for (const all of document.querySelectorAll('input[data-select-all]')) {
    const boxes = () => all.closest('table').querySelectorAll('tbody input[type=checkbox][name=id]');
    all.addEventListener('change', () => { for (const b of boxes()) b.checked = all.checked; });
  }
  // A form is sent once: its buttons are disabled while the answer comes.
  for (const form of document.querySelectorAll('form[method=post]')) {
    form.addEventListener('submit', () => { for (const b of form.querySelectorAll('button')) b.disabled = true; });
  }
});
