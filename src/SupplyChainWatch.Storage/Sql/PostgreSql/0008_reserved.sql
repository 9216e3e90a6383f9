-- Version 8 belongs to the bulk-import work (binary COPY into the evidence log), developed beside this branch. This
-- placeholder keeps the versions contiguous until that script takes its place; it changes nothing.
SELECT 1;
