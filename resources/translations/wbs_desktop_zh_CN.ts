<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Analyser</name>
    <message>
        <source>Analysing…</source>
        <translation>正在分析…</translation>
    </message>
</context>
<context>
    <name>AnalysisController</name>
    <message>
        <source>Reading {name}…</source>
        <translation>正在读取 {name}…</translation>
    </message>
    <message>
        <source>Loading the model… this photo is analysed as soon as it is ready.</source>
        <translation>正在加载模型… 模型就绪后将立即分析这张照片。</translation>
    </message>
    <message>
        <source>No model is loaded: choose one in the Model list.</source>
        <translation>未加载模型：请在“模型”列表中选择一个。</translation>
    </message>
    <message>
        <source>Analysing {name}…</source>
        <translation>正在分析 {name}…</translation>
    </message>
    <message>
        <source>{name}: {summary} (score {score:.3f}), analysed in {total:.2f} s</source>
        <translation>{name}：{summary}（评分 {score:.3f}），分析耗时 {total:.2f} 秒</translation>
    </message>
    <message>
        <source>Open a photo to begin.</source>
        <translation>打开一张照片以开始。</translation>
    </message>
</context>
<context>
    <name>BatchDialog</name>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>SD across networks</source>
        <translation>网络间标准差</translation>
    </message>
    <message>
        <source>Faces</source>
        <translation>人脸数</translation>
    </message>
    <message>
        <source>Warnings / reason</source>
        <translation>警告 / 原因</translation>
    </message>
    <message>
        <source>Screen a folder - {folder}</source>
        <translation>筛查文件夹 - {folder}</translation>
    </message>
    <message>
        <source>Model: {name}. Folder: {folder}</source>
        <translation>模型：{name}。文件夹：{folder}</translation>
    </message>
    <message>
        <source>%v of %m photos</source>
        <translation>%v / %m 张照片</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Save the table as a CSV file (Ctrl+S)</source>
        <translation>将表格保存为 CSV 文件（Ctrl+S）</translation>
    </message>
    <message>
        <source>Cancelling after the current photo…</source>
        <translation>将在当前照片完成后取消…</translation>
    </message>
    <message>
        <source>Screening {name}…</source>
        <translation>正在筛查 {name}…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>No photos (JPEG, PNG, BMP, TIFF or WebP) in this folder.</source>
        <translation>此文件夹中没有照片（JPEG、PNG、BMP、TIFF 或 WebP）。</translation>
    </message>
    <message>
        <source>Cancelled after {rows} of {total} photos; {failed} could not be analysed (reason in the table).</source>
        <translation>已在完成 {rows}/{total} 张照片后取消；{failed} 张无法分析（原因见表格）。</translation>
    </message>
    <message>
        <source>Screened {rows} of {total} photos; {failed} could not be analysed (reason in the table).</source>
        <translation>已筛查 {rows}/{total} 张照片；{failed} 张无法分析（原因见表格）。</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
</context>
<context>
    <name>CameraDialog</name>
    <message>
        <source>Capture a photo - WBS Screen</source>
        <translation>拍摄照片 - WBS Screen</translation>
    </message>
    <message>
        <source>Camera {index}</source>
        <translation>摄像头 {index}</translation>
    </message>
    <message>
        <source>Video file…</source>
        <translation>视频文件…</translation>
    </message>
    <message>
        <source>Which camera to use; a video file works too</source>
        <translation>要使用的摄像头；也可以使用视频文件</translation>
    </message>
    <message>
        <source>Starting the camera…</source>
        <translation>正在启动摄像头…</translation>
    </message>
    <message>
        <source>Freeze</source>
        <translation>定格</translation>
    </message>
    <message>
        <source>Hold the current picture (Space)</source>
        <translation>定格当前画面（空格键）</translation>
    </message>
    <message>
        <source>Use this photo</source>
        <translation>使用这张照片</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Choose a video file</source>
        <translation>选择视频文件</translation>
    </message>
    <message>
        <source>Videos (*.mp4 *.avi *.mkv *.mov *.webm);;All files (*)</source>
        <translation>视频 (*.mp4 *.avi *.mkv *.mov *.webm);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Starting {source}…</source>
        <translation>正在启动{source}…</translation>
    </message>
    <message>
        <source>Connecting to {source}…</source>
        <translation>正在连接{source}…</translation>
    </message>
    <message>
        <source>Live: {name}. Ask the child to look straight at the camera.</source>
        <translation>实时画面：{name}。请让儿童直视摄像头。</translation>
    </message>
    <message>
        <source>No picture from the camera.</source>
        <translation>摄像头没有画面。</translation>
    </message>
    <message>
        <source>Frozen: use this photo, or retake (Space).</source>
        <translation>已定格：使用这张照片，或重拍（空格键）。</translation>
    </message>
    <message>
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <source>Back to the live picture (Space)</source>
        <translation>返回实时画面（空格键）</translation>
    </message>
</context>
<context>
    <name>CameraWorker</name>
    <message>
        <source>The camera preview stopped because of an unexpected error; press Retry.</source>
        <translation>摄像头预览因意外错误而停止；请按“重试”。</translation>
    </message>
    <message>
        <source>No camera was found at number {source}. Check that it is plugged in and not in use by another program, or choose another camera.</source>
        <translation>未找到编号为 {source} 的摄像头。请检查它是否已连接且未被其他程序占用，或选择其他摄像头。</translation>
    </message>
    <message>
        <source>The video file &apos;{source}&apos; could not be opened; choose another file or a camera.</source>
        <translation>无法打开视频文件“{source}”；请选择其他文件或摄像头。</translation>
    </message>
    <message>
        <source>Camera {source} stopped sending pictures: it may have been unplugged. Check it and press Retry.</source>
        <translation>摄像头 {source} 停止发送画面：可能已被拔出。请检查后按“重试”。</translation>
    </message>
    <message>
        <source>The video &apos;{source}&apos; can no longer be read: it may have been moved or damaged.</source>
        <translation>视频“{source}”已无法读取：可能已被移动或损坏。</translation>
    </message>
</context>
<context>
    <name>CasePanel</name>
    <message>
        <source>{field} must be a date written {hint}, e.g. 2021-09-15.</source>
        <translation>{field}必须是 {hint} 格式的日期，例如 2021-09-15。</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>患者编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Photo date</source>
        <translation>拍摄日期</translation>
    </message>
    <message>
        <source>Ancestry</source>
        <translation>祖源</translation>
    </message>
    <message>
        <source>Examiner</source>
        <translation>检查者</translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation>机构</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>required for a report</source>
        <translation>生成报告时必填</translation>
    </message>
    <message>
        <source>Filled from the photo&apos;s EXIF date when it has one</source>
        <translation>照片含有 EXIF 日期时自动填入</translation>
    </message>
    <message>
        <source>The date of birth</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>The photo date</source>
        <translation>拍摄日期</translation>
    </message>
    <message>
        <source>No patient details: fill in the Case panel (Ctrl+N starts a new case).</source>
        <translation>无患者信息：请填写“病例”面板（Ctrl+N 新建病例）。</translation>
    </message>
    <message>
        <source>Patient {id}</source>
        <translation>患者 {id}</translation>
    </message>
    <message>
        <source>(no ID)</source>
        <translation>（无编号）</translation>
    </message>
    <message>
        <source>{age} at the photo</source>
        <translation>拍照时 {age}</translation>
    </message>
</context>
<context>
    <name>CasePhotos</name>
    <message>
        <source>Photos of this case</source>
        <translation>本病例的照片</translation>
    </message>
    <message>
        <source>Untick a photo (e.g. one with quality warnings) to leave it out; double-click it to show it again with its heatmap</source>
        <translation>取消勾选某张照片（例如有质量警告的照片）即可将其排除；双击可连同热图再次显示</translation>
    </message>
    <message>
        <source>no date</source>
        <translation>无日期</translation>
    </message>
    <message>
        <source>{date}, {age}</source>
        <translation>{date}，{age}</translation>
    </message>
    <message>
        <source>{name} ({when}): {score} {label}</source>
        <translation>{name}（{when}）：{score} {label}</translation>
    </message>
    <message>
        <source>, 1 quality warning</source>
        <translation>，1 条质量警告</translation>
    </message>
    <message>
        <source>, {count} quality warnings</source>
        <translation>，{count} 条质量警告</translation>
    </message>
    <message>
        <source>Case: {result}</source>
        <translation>病例：{result}</translation>
    </message>
    <message>
        <source>No photo analysed in this case yet.</source>
        <translation>本病例尚未分析任何照片。</translation>
    </message>
    <message>
        <source>{summary}, score {score}</source>
        <translation>{summary}，评分 {score}</translation>
    </message>
</context>
<context>
    <name>ColorBar</name>
    <message>
        <source>Heat legend: how strongly each area pushed the score up</source>
        <translation>热图图例：各区域推高评分的程度</translation>
    </message>
    <message>
        <source>Heat</source>
        <translation>热度</translation>
    </message>
    <message>
        <source>high</source>
        <translation>高</translation>
    </message>
    <message>
        <source>low</source>
        <translation>低</translation>
    </message>
</context>
<context>
    <name>ExportController</name>
    <message>
        <source>Save report</source>
        <translation>保存报告</translation>
    </message>
    <message>
        <source>PDF report (*.pdf);;PNG image (*.png)</source>
        <translation>PDF 报告 (*.pdf);;PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>There is no result to report yet.</source>
        <translation>尚无可生成报告的结果。</translation>
    </message>
    <message>
        <source>Saving {path}…</source>
        <translation>正在保存 {path}…</translation>
    </message>
    <message>
        <source>Report saved: {path}</source>
        <translation>报告已保存：{path}</translation>
    </message>
</context>
<context>
    <name>HashWorker</name>
    <message>
        <source>The model file {path} was not found.</source>
        <translation>未找到模型文件 {path}。</translation>
    </message>
    <message>
        <source>The model file {name} could not be read ({exc}).</source>
        <translation>无法读取模型文件 {name}（{exc}）。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>WBS Screen</source>
        <translation>WBS Screen 面容筛查</translation>
    </message>
    <message>
        <source>{photo} - {app}</source>
        <translation>{photo} - {app}</translation>
    </message>
    <message>
        <source>About WBS Screen</source>
        <translation>关于 WBS Screen</translation>
    </message>
    <message>
        <source>&lt;b&gt;WBS Screen {version}&lt;/b&gt;&lt;p&gt;Offline screening aid for a Williams-Beuren syndrome facial gestalt. Research and decision support only: it does not diagnose.&lt;/p&gt;&lt;p&gt;Photos stay on this computer and in memory; nothing is sent anywhere.&lt;/p&gt;</source>
        <translation>&lt;b&gt;WBS Screen {version}&lt;/b&gt;&lt;p&gt;用于威廉斯综合征（Williams-Beuren 综合征）面容特征的离线筛查辅助工具。仅供科研与临床决策辅助：不能诊断。&lt;/p&gt;&lt;p&gt;照片只保留在本机和内存中；不会发送到任何地方。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Dismiss (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
</context>
<context>
    <name>ModelController</name>
    <message>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Loading the model… a photo opened now is analysed as soon as it is ready.</source>
        <translation>正在加载模型… 现在打开的照片将在模型就绪后立即分析。</translation>
    </message>
    <message>
        <source>Model ready: {name}</source>
        <translation>模型已就绪：{name}</translation>
    </message>
    <message>
        <source>The model could not be used. {error}</source>
        <translation>无法使用该模型。{error}</translation>
    </message>
    <message>
        <source>Model refused</source>
        <translation>模型被拒绝</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>No model is loaded: choose one in the Model list or add a model file.</source>
        <translation>未加载模型：请在“模型”列表中选择一个，或添加模型文件。</translation>
    </message>
    <message>
        <source>Add a model file</source>
        <translation>添加模型文件</translation>
    </message>
    <message>
        <source>Model bundles (*.safetensors)</source>
        <translation>模型包 (*.safetensors)</translation>
    </message>
    <message>
        <source>Checking the model file…</source>
        <translation>正在检查模型文件…</translation>
    </message>
    <message>
        <source>Confirm the model file</source>
        <translation>确认模型文件</translation>
    </message>
    <message>
        <source>The model file {value} has no checksum file, so WBS Screen cannot tell whether it is the file its provider made.</source>
        <translation>模型文件 {value} 没有校验和文件，因此 WBS Screen 无法判断它是否为提供方制作的原始文件。</translation>
    </message>
    <message>
        <source>Its SHA-256 is:

{sha256}

Compare it with the checksum the model&apos;s provider published. Use this model only if they match. Load it?</source>
        <translation>其 SHA-256 为：

{sha256}

请与模型提供方公布的校验和比对。仅在两者一致时使用此模型。是否加载？</translation>
    </message>
    <message>
        <source>Model not added.</source>
        <translation>未添加模型。</translation>
    </message>
</context>
<context>
    <name>ModelLoader</name>
    <message>
        <source>Loading PyTorch…</source>
        <translation>正在加载 PyTorch…</translation>
    </message>
    <message>
        <source>Loading the face finder…</source>
        <translation>正在加载人脸检测器…</translation>
    </message>
    <message>
        <source>Checking the model…</source>
        <translation>正在检查模型…</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Model bundle used for the analysis</source>
        <translation>用于分析的模型包</translation>
    </message>
    <message>
        <source>Where the networks run</source>
        <translation>网络的运行设备</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source> (default)</source>
        <translation>（默认）</translation>
    </message>
    <message>
        <source>{value} (added)</source>
        <translation>{value}（已添加）</translation>
    </message>
</context>
<context>
    <name>PhotoController</name>
    <message>
        <source>Open a photo</source>
        <translation>打开照片</translation>
    </message>
    <message>
        <source>Photos ({patterns});;All files (*)</source>
        <translation>照片 ({patterns});;所有文件 (*)</translation>
    </message>
    <message>
        <source>Clear list</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>The photo {path} is no longer there ({path2}); it was removed from the recent list.</source>
        <translation>照片 {path} 已不在原位置（{path2}）；已从最近列表中移除。</translation>
    </message>
    <message>
        <source>Drop a photo file, or a single folder to screen it.</source>
        <translation>请拖入一个照片文件，或拖入单个文件夹以进行筛查。</translation>
    </message>
    <message>
        <source>{photos} files were dropped; only {value} was opened. To screen several photos, use Screen a folder (Ctrl+B).</source>
        <translation>拖入了 {photos} 个文件；只打开了 {value}。要筛查多张照片，请使用“筛查文件夹”（Ctrl+B）。</translation>
    </message>
    <message>
        <source>Pasted picture</source>
        <translation>粘贴的图片</translation>
    </message>
    <message>
        <source>The clipboard holds no picture: copy a photo (or a photo file) first, then paste.</source>
        <translation>剪贴板中没有图片：请先复制一张照片（或照片文件），再粘贴。</translation>
    </message>
    <message>
        <source>Camera capture</source>
        <translation>摄像头拍摄</translation>
    </message>
    <message>
        <source>Screen a folder of photos</source>
        <translation>筛查照片文件夹</translation>
    </message>
    <message>
        <source>The model is not loaded yet; try again in a moment.</source>
        <translation>模型尚未加载；请稍后再试。</translation>
    </message>
</context>
<context>
    <name>RegionChart</name>
    <message>
        <source>forehead</source>
        <translation>前额</translation>
    </message>
    <message>
        <source>around the eyes</source>
        <translation>眼周</translation>
    </message>
    <message>
        <source>nose</source>
        <translation>鼻</translation>
    </message>
    <message>
        <source>cheeks</source>
        <translation>面颊</translation>
    </message>
    <message>
        <source>mouth</source>
        <translation>口</translation>
    </message>
    <message>
        <source>chin</source>
        <translation>下颏</translation>
    </message>
    <message>
        <source>outside the face</source>
        <translation>面部以外</translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>synthetic photos</source>
        <translation>合成照片</translation>
    </message>
    <message>
        <source>real photos</source>
        <translation>真实照片</translation>
    </message>
    <message>
        <source>Trained on</source>
        <translation>训练数据</translation>
    </message>
    <message>
        <source>not trained</source>
        <translation>未训练</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>Operating point</source>
        <translation>工作点</translation>
    </message>
    <message>
        <source>Cross-validation</source>
        <translation>交叉验证</translation>
    </message>
    <message>
        <source>Open a photo to begin.</source>
        <translation>打开一张照片以开始。</translation>
    </message>
    <message>
        <source>Model provenance warning</source>
        <translation>模型来源警告</translation>
    </message>
    <message>
        <source>Where the heat fell</source>
        <translation>热图分布区域</translation>
    </message>
    <message>
        <source>Photo quality</source>
        <translation>照片质量</translation>
    </message>
    <message>
        <source>Model card…</source>
        <translation>模型卡…</translation>
    </message>
    <message>
        <source>The model&apos;s full card (Ctrl+I)</source>
        <translation>完整的模型卡（Ctrl+I）</translation>
    </message>
    <message>
        <source>Intended use</source>
        <translation>预期用途</translation>
    </message>
    <message>
        <source>What WBS Screen is for, and what not (F1)</source>
        <translation>WBS Screen 的用途与不适用范围（F1）</translation>
    </message>
    <message>
        <source>A research and decision-support aid: it does not diagnose WBS, and a low score does not rule it out. Confirm with a genetic test.</source>
        <translation>科研与临床决策辅助工具：不能诊断威廉斯综合征（WBS），低分也不能排除。请以基因检测确诊。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{banner}&lt;/b&gt; Scores from this model are not clinically meaningful.</source>
        <translation>&lt;b&gt;{banner}&lt;/b&gt;本模型的评分没有临床意义。</translation>
    </message>
    <message>
        <source>SD {sd} across its {networks} networks</source>
        <translation>{networks} 个网络间标准差 {sd}</translation>
    </message>
    <message>
        <source>one network, so no spread</source>
        <translation>单个网络，无离散度</translation>
    </message>
    <message>
        <source>Score &lt;b&gt;{score}&lt;/b&gt; &amp;nbsp;·&amp;nbsp; threshold {threshold} &amp;nbsp;·&amp;nbsp; {spread}</source>
        <translation>评分 &lt;b&gt;{score}&lt;/b&gt; &amp;nbsp;·&amp;nbsp; 阈值 {threshold} &amp;nbsp;·&amp;nbsp; {spread}</translation>
    </message>
    <message>
        <source>No quality warnings: frontal, sharp and well exposed.</source>
        <translation>无质量警告：正面、清晰且曝光良好。</translation>
    </message>
</context>
<context>
    <name>ScoreGauge</name>
    <message>
        <source>score {score:.2f}, threshold {threshold:.2f}</source>
        <translation>评分 {score:.2f}，阈值 {threshold:.2f}</translation>
    </message>
    <message>
        <source>threshold {threshold:.2f}</source>
        <translation>阈值 {threshold:.2f}</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <source>&amp;New case</source>
        <translation>新建病例(&amp;N)</translation>
    </message>
    <message>
        <source>Clear the photo, its result and the case details</source>
        <translation>清除照片、结果和病例信息</translation>
    </message>
    <message>
        <source>&amp;Open photo…</source>
        <translation>打开照片(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a photo file</source>
        <translation>打开照片文件</translation>
    </message>
    <message>
        <source>&amp;Paste photo</source>
        <translation>粘贴照片(&amp;P)</translation>
    </message>
    <message>
        <source>Analyse the picture on the clipboard</source>
        <translation>分析剪贴板中的图片</translation>
    </message>
    <message>
        <source>&amp;Camera…</source>
        <translation>摄像头(&amp;C)…</translation>
    </message>
    <message>
        <source>Capture a photo with a camera</source>
        <translation>用摄像头拍摄照片</translation>
    </message>
    <message>
        <source>Screen a &amp;folder…</source>
        <translation>筛查文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Screen every photo in a folder</source>
        <translation>筛查文件夹中的每张照片</translation>
    </message>
    <message>
        <source>&amp;Save report…</source>
        <translation>保存报告(&amp;S)…</translation>
    </message>
    <message>
        <source>Save a PDF or PNG report of this result</source>
        <translation>将此结果保存为 PDF 或 PNG 报告</translation>
    </message>
    <message>
        <source>Crop report photo to the &amp;face</source>
        <translation>报告照片裁剪至面部(&amp;F)</translation>
    </message>
    <message>
        <source>Reports show only the face, not the whole photo</source>
        <translation>报告只显示面部，而非整张照片</translation>
    </message>
    <message>
        <source>&amp;Analyse again</source>
        <translation>重新分析(&amp;A)</translation>
    </message>
    <message>
        <source>Analyse the photo again</source>
        <translation>重新分析这张照片</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Landmarks</source>
        <translation>特征点(&amp;L)</translation>
    </message>
    <message>
        <source>Show the face box and landmarks</source>
        <translation>显示人脸框和特征点</translation>
    </message>
    <message>
        <source>&amp;Heatmap on photo</source>
        <translation>照片上的热图(&amp;H)</translation>
    </message>
    <message>
        <source>Show the heatmap over the photo</source>
        <translation>在照片上叠加显示热图</translation>
    </message>
    <message>
        <source>More opaque heatmap</source>
        <translation>热图更不透明</translation>
    </message>
    <message>
        <source>More transparent heatmap</source>
        <translation>热图更透明</translation>
    </message>
    <message>
        <source>Next colour &amp;map</source>
        <translation>下一个色图(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Add model file…</source>
        <translation>添加模型文件(&amp;A)…</translation>
    </message>
    <message>
        <source>Use a model bundle file</source>
        <translation>使用模型包文件</translation>
    </message>
    <message>
        <source>Model &amp;card</source>
        <translation>模型卡(&amp;C)</translation>
    </message>
    <message>
        <source>The model&apos;s card: data, validation, threshold</source>
        <translation>模型卡：数据、验证、阈值</translation>
    </message>
    <message>
        <source>&amp;Intended use</source>
        <translation>预期用途(&amp;I)</translation>
    </message>
    <message>
        <source>What WBS Screen is for, and what not</source>
        <translation>WBS Screen 的用途与不适用范围</translation>
    </message>
    <message>
        <source>&amp;About WBS Screen</source>
        <translation>关于 WBS Screen(&amp;A)</translation>
    </message>
    <message>
        <source>Dismiss message</source>
        <translation>关闭消息</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
</context>
<context>
    <name>WindowLayout</name>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Open a photo (Ctrl+O), drop one here, paste one (Ctrl+V) or capture one with the camera (Ctrl+K).

A frontal, well-lit photo of one child works best.</source>
        <translation>打开照片（Ctrl+O）、拖放到此处、粘贴（Ctrl+V）或用摄像头拍摄（Ctrl+K）。

单个儿童、光线充足的正面照片效果最佳。</translation>
    </message>
    <message>
        <source>Aligned face</source>
        <translation>对齐后的面部</translation>
    </message>
    <message>
        <source>Grad-CAM on the aligned face</source>
        <translation>对齐面部上的 Grad-CAM</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>病例</translation>
    </message>
    <message>
        <source>Heatmap on photo</source>
        <translation>照片上的热图</translation>
    </message>
    <message>
        <source>Show the Grad-CAM heatmap over the photo (Ctrl+H)</source>
        <translation>在照片上叠加显示 Grad-CAM 热图（Ctrl+H）</translation>
    </message>
    <message>
        <source>Landmarks</source>
        <translation>特征点</translation>
    </message>
    <message>
        <source>Show the face box and the 478 landmarks (Ctrl+L)</source>
        <translation>显示人脸框和 478 个特征点（Ctrl+L）</translation>
    </message>
    <message>
        <source>Heatmap opacity (Ctrl+] / Ctrl+[)</source>
        <translation>热图不透明度（Ctrl+] / Ctrl+[）</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Colour map</source>
        <translation>色图</translation>
    </message>
    <message>
        <source>cividis (colour-blind safe)</source>
        <translation>cividis（色盲友好）</translation>
    </message>
    <message>
        <source>Colour map of the heatmap (Ctrl+M for the next one)</source>
        <translation>热图的色图（Ctrl+M 切换到下一个）</translation>
    </message>
    <message>
        <source>WBS Screen {version} · offline</source>
        <translation>WBS Screen {version} · 离线</translation>
    </message>
    <message>
        <source>Open a photo to analyse it.</source>
        <translation>打开一张照片进行分析。</translation>
    </message>
</context>
<context>
    <name>WorkerPool</name>
    <message>
        <source>An unexpected error occurred; it was written to the error log. Try again, or restart WBS Screen.</source>
        <translation>发生意外错误，已写入错误日志。请重试，或重新启动 WBS Screen。</translation>
    </message>
</context>
<context>
    <name>camera</name>
    <message>
        <source>camera {number}</source>
        <translation>摄像头 {number}</translation>
    </message>
</context>
<context>
    <name>crash</name>
    <message>
        <source>WBS Screen: unexpected error</source>
        <translation>WBS Screen：意外错误</translation>
    </message>
    <message>
        <source>Something went wrong inside WBS Screen. Your photo was not saved anywhere.</source>
        <translation>WBS Screen 内部出现问题。您的照片未被保存到任何地方。</translation>
    </message>
    <message>
        <source>The technical details were written to {log}</source>
        <translation>技术细节已写入 {log}</translation>
    </message>
    <message>
        <source>The technical details could not be written to a log file.</source>
        <translation>技术细节无法写入日志文件。</translation>
    </message>
    <message>
        <source>{summary}

{where} (no picture is ever written there). Please send that file to your support contact.</source>
        <translation>{summary}

{where}（其中绝不会写入任何图片）。请将该文件发送给您的技术支持联系人。</translation>
    </message>
</context>
<context>
    <name>documents</name>
    <message>
        <source>Intended use - WBS Screen</source>
        <translation>预期用途 - WBS Screen</translation>
    </message>
    <message>
        <source>Model card - WBS Screen</source>
        <translation>模型卡 - WBS Screen</translation>
    </message>
</context>
</TS>
