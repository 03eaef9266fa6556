// Text with wide, joined and combining characters, shared by the width and layout tests.

/** Text as agents write it: names, section titles, commands, messages. */
export const WIDE_SAMPLES: readonly string[] = [
  '🚀 deploy',
  '👩‍💻',
  '👨‍👩‍👧‍👦 family sync',
  'flags 🇫🇷🇯🇵🇺🇸 here',
  'thumbs 👍🏽👍🏿 ok',
  '❤️ love and ☀ sun',
  '日本語のエージェント',
  '请检查发票 invoices',
  '한국어 섹션',
  'ＦＵＬＬ ｗｉｄｔｈ and ｶﾀｶﾅ',
  'café (e + U+0301: cafe\u0301) naïve',
  'Z\u0351\u0352a\u0353l\u0354g\u0355o',
  'mixed 🚀日本é👩‍💻🇫🇷 end',
  'plain ascii invoice-monitor',
];
