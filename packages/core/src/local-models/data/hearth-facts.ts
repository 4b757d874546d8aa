/**
 * Facts about Hearth with a question each, used to build the grounded chat transcripts the shipped
 * model is fine-tuned on: the answer is always taken from a quoted source and cited.
 */
export const HEARTH_FACTS: { fact: string; questions: string[] }[] = [
  {
    fact: 'Hearth is a community AI assistant that runs as a Discord bot, an MCP server and a command line tool.',
    questions: ['What is Hearth?', 'Where can I use Hearth?'],
  },
  {
    fact: 'Hearth works offline by default with its own small language model trained on this machine.',
    questions: ['Does Hearth work offline?', 'What model does Hearth use by default?'],
  },
  {
    fact: 'The default chat model is a small GGUF model served by node-llama-cpp.',
    questions: ['Which runtime serves the local model?', 'What format is the default chat model?'],
  },
  {
    fact: 'To use a bigger model, set the chat model to an hf: model, an openai: server or a gguf: file.',
    questions: ['How do I use a bigger model?', 'Can I point Hearth at another model?'],
  },
  {
    fact: 'Knowledge is stored in LanceDB on local disk and searched with hybrid full-text and vector search.',
    questions: ['Where is knowledge stored?', 'How does Hearth search its knowledge?'],
  },
  {
    fact: 'The project docs are ingested into the knowledge store on first start.',
    questions: ['What happens on first start?', 'Are the docs ingested?'],
  },
  {
    fact: 'Plugins add tools, and every tool is available on Discord, over MCP and in the CLI.',
    questions: ['What do plugins do?', 'Where are plugin tools available?'],
  },
  {
    fact: 'Conversations and plugin storage are kept in a SQLite file in the data folder.',
    questions: ['Where are conversations kept?', 'What database holds conversations?'],
  },
  {
    fact: 'The data folder holds hearth.sqlite, the knowledge store, models, adapters, plugins and artifacts.',
    questions: ['What is in the data folder?', 'What does the data folder hold?'],
  },
  {
    fact: 'Run hearth train pretrain to train a model on a text corpus such as the Brown Corpus.',
    questions: ['How do I pretrain a model?', 'Which command trains on a corpus?'],
  },
  {
    fact: 'Run hearth train finetune with a JSONL file of chat messages to fine-tune a model.',
    questions: ['How do I fine-tune a model?', 'What data does finetune take?'],
  },
  {
    fact: 'LoRA adapters are trained with hearth adapters train and chosen per guild with hearth adapters use.',
    questions: ['How do I train an adapter?', 'How do I give a guild its own adapter?'],
  },
  {
    fact: 'An adapter is applied per request without reloading the base model.',
    questions: ['Does switching adapters reload the model?', 'How are adapters applied?'],
  },
  {
    fact: 'Distillation trains a small student model from the answers or logits of a larger teacher.',
    questions: ['What is distillation?', 'How does hearth distill work?'],
  },
  {
    fact: 'Models can be exported to GGUF as F32, F16 or Q8_0.',
    questions: ['Which GGUF formats can I export?', 'Can models be quantized?'],
  },
  {
    fact: 'Q8_0 stores weights in 8 bits with one scale per block of 32 values.',
    questions: ['What is Q8_0?', 'How does Q8_0 store weights?'],
  },
  {
    fact: 'The image tool uses a small diffusion model that draws digits and shapes.',
    questions: ['Can Hearth make images?', 'What does the image model draw?'],
  },
  {
    fact: 'The augment tool trains a tabular GAN on a CSV file and writes synthetic rows.',
    questions: ['What does augment do?', 'How do I make synthetic rows?'],
  },
  {
    fact: 'Answers cite their sources with numbers in square brackets.',
    questions: ['How are sources cited?', 'Does Hearth cite sources?'],
  },
  {
    fact: 'The bot only answers in channels on its allowlist and applies a rate limit per user.',
    questions: ['Where does the bot answer?', 'Is there a rate limit?'],
  },
  {
    fact: 'Admins add knowledge with the add_knowledge tool and remove it with remove_knowledge.',
    questions: ['How do I add knowledge?', 'How do I remove knowledge?'],
  },
  {
    fact: 'The MCP server speaks stdio and streamable HTTP.',
    questions: ['Which transports does the MCP server use?', 'How do I connect over MCP?'],
  },
  {
    fact: 'Run pnpm start to start Hearth, or hearth chat to talk to it in the terminal.',
    questions: ['How do I start Hearth?', 'How do I chat in the terminal?'],
  },
  {
    fact: 'Hearth is written in TypeScript and runs on Node 20.',
    questions: ['What language is Hearth written in?', 'Which Node version does Hearth need?'],
  },
  {
    fact: 'The local model has about half a million parameters and a context of 256 tokens.',
    questions: ['How big is the local model?', 'How long is the context of the local model?'],
  },
  {
    fact: 'The local model is small, so it mostly repeats the most relevant source and can be wrong.',
    questions: ['How good is the local model?', 'Can the local model be wrong?'],
  },
  {
    fact: 'Training runs on the CPU with tfjs and its WebAssembly backend.',
    questions: ['What does training run on?', 'Does training need a GPU?'],
  },
  {
    fact: 'Checkpoints are saved in safetensors and training resumes from the last one.',
    questions: ['Can training resume?', 'What format are checkpoints?'],
  },
  {
    fact: 'A loss curve is written as a PNG next to the checkpoint.',
    questions: ['Is there a loss curve?', 'Where is the loss plot?'],
  },
  {
    fact: 'Tools of external MCP servers join the same tool registry as built-in tools.',
    questions: ['Can Hearth use external MCP servers?', 'Where do external tools go?'],
  },
];

/** A short refusal used when no quoted source answers the question. */
export const NOT_IN_SOURCES = 'The sources do not say.';
