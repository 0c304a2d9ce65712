// Regenerates hf-tokenizer-ids.json: the token ids Hugging Face's own tokenizer (transformers.js, reading the model's
// tokenizer.json) gives for hard strings. The C# tokenizer must reproduce them exactly.
//   npm install @huggingface/transformers@3 --ignore-scripts
//   node make-tokenizer-fixture.mjs <folder containing all-MiniLM-L6-v2-ONNX/tokenizer.json> > hf-tokenizer-ids.json
import { AutoTokenizer, env } from '@huggingface/transformers';

env.allowRemoteModels = false;
env.localModelPath = process.argv[2];

const texts = [
  'This is an example sentence',
  'Hello, World! How are you?',
  'tabs\tand\nnewlines\r\nand   spaces',
  'Café au lait, naïve résumé, Ångström, Zoë, São Paulo',
  'ÉCOLE ÑANDÚ ÆSIR ﬁnance',
  '2+2=4; a<b>c; x^2 | y ~ z; $100 & 50% off #hashtag @mention',
  'snake_case and kebab-case and dotted.name/path\\back`tick',
  '我喜欢喝燕麦奶的咖啡',
  '日本語のテキストと한국어 텍스트',
  'mixed 中文 and English 混合',
  'emoji 🍵☕️ tea 👩‍💻 coder 🇵🇹 flag',
  'quotes “curly” ‘single’ «guillemets» — em-dash … ellipsis',
  'zero\u200bwidth\u00adsoft hyphen and nbsp\u00a0here',
  'control\u0007bell and \u0000nul and replacement \ufffd char',
  'Ⅻ roman ½ fraction ² superscript ℃ degree',
  'https://example.com/path?q=1&r=2#frag user@example.org',
  'UPPER lower MiXeD CaSe',
  'supercalifragilisticexpialidocious antidisestablishmentarianism',
  'Ελληνικά κείμενο και кириллица тоже',
  'العربية والعبرية עברית',
  'I prefer 30 minute meetings',
  "Don't, can't, won't — it's fine.",
  '',
  '    ',
  '[CLS] [SEP] [MASK] literal special tokens',
  'a'.repeat(120) + ' long word',
];

const tokenizer = await AutoTokenizer.from_pretrained('all-MiniLM-L6-v2-ONNX');
const cases = texts.map((text) => ({ text, ids: tokenizer.encode(text) }));
console.log(`{\n "source": "transformers.js AutoTokenizer over the model package tokenizer.json",\n "cases": [\n${cases.map((c) => "  " + JSON.stringify(c)).join(",\n")}\n ]\n}`);
