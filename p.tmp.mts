import { parseTraceql } from './src/query/traceql/parser.ts';
console.log(JSON.stringify(parseTraceql('{ span.delivery.item_count % 2 = 1 && span.delivery.total > 60 }').stages[0], null, 0));
